#include "io/nifti.h"

#include <nifti2_io.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <vector>

#include "util/atomic_file.h"
#include "util/error.h"
#include "util/text.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;

struct NimFree {
  void operator()(nifti_image* nim) const { nifti_image_free(nim); }
};
using NimPtr = std::unique_ptr<nifti_image, NimFree>;

// nifticlib reports problems on stderr by default; the user should see only our
// one-line Error.
void silence_nifticlib() { nifti_set_debug_level(0); }

const nifti_image* nim_of(const NiftiHeader& header) {
  if (!header.image) throw Error("NiftiHeader: empty header (not read from a file nor made)");
  return static_cast<const nifti_image*>(header.image.get());
}

NiftiHeader wrap(NimPtr nim) {
  nifti_image_unload(nim.get());  // a header never owns voxels
  NiftiHeader header;
  header.image = std::shared_ptr<const void>(nim.release(), [](const void* p) {
    nifti_image_free(static_cast<nifti_image*>(const_cast<void*>(p)));
  });
  return header;
}

std::string join_dims(const int64_t* dims, int64_t n) {
  std::string s;
  for (int64_t k = 0; k < n; ++k) s += (k ? "x" : "") + std::to_string(dims[k]);
  return s;
}

bool is_supported_datatype(int datatype) {
  switch (datatype) {
    case DT_UINT8:
    case DT_INT8:
    case DT_INT16:
    case DT_UINT16:
    case DT_INT32:
    case DT_UINT32:
    case DT_INT64:
    case DT_FLOAT32:
    case DT_FLOAT64:
      return true;
    default:
      return false;
  }
}

// The magic bytes as text a message can show (others as \xNN).
std::string printable(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

// Dimensions and datatype checks shared by the header nifticlib accepted and the
// raw header we inspect when it refused one.
void check_dims_and_type(const std::string& path, const int64_t dim[8], int datatype) {
  if (dim[0] < 1 || dim[0] > 7)
    throw Error(path + ": invalid dimensions: dim[0] = " + std::to_string(dim[0]) +
                " (must be 1..7)");
  for (int64_t k = 1; k <= dim[0]; ++k)
    if (dim[k] <= 0)
      throw Error(path + ": invalid dimensions " + join_dims(dim + 1, dim[0]) +
                  " (every size must be positive)");
  if (!is_supported_datatype(datatype))
    throw Error(path + ": unsupported datatype " + nifti_datatype_name(datatype) + " (code " +
                std::to_string(datatype) +
                "); lrpseg reads uint8, int8, int16, uint16, int32, uint32, int64, float32, "
                "float64");
}

std::string byte_count_text(uint64_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 6) value /= 1024, ++unit;
  char text[32];
  std::snprintf(text, sizeof text, unit ? "%.1f %s" : "%.0f %s", value, units[unit]);
  return text;
}

// A header's grid must fit in the file that holds it: checked before anything
// is allocated, so a corrupt or hostile header cannot ask for terabytes (or
// overflow the voxel count). A gzip stream inflates at most about 1032:1
// (deflate's limit). `data_file` holds the voxels: the file itself, or the .img
// of a header/image pair.
void check_grid_fits_file(const std::string& path, const int64_t dim[8], int datatype,
                          const std::string& data_file) {
  int nbyper = 0, swapsize = 0;
  nifti_datatype_sizes(datatype, &nbyper, &swapsize);
  uint64_t bytes = static_cast<uint64_t>(nbyper);
  bool overflow = false;
  for (int64_t k = 1; k <= dim[0]; ++k)
    overflow = overflow || __builtin_mul_overflow(bytes, static_cast<uint64_t>(dim[k]), &bytes);
  std::error_code ec;
  const uint64_t file_bytes = fs::file_size(data_file, ec);
  if (ec) return;  // unreadable files are reported by the read itself
  const bool gz = nifti_is_gzfile(data_file.c_str());
  const uint64_t limit = gz ? file_bytes * 1032 + 4096 : file_bytes;
  if (overflow || bytes > limit)
    throw Error(path + ": the header's " + join_dims(dim + 1, dim[0]) + " " +
                nifti_datatype_name(datatype) + " grid needs " +
                (overflow ? std::string("more than 16 EiB") : byte_count_text(bytes)) +
                " of voxel data but " + (data_file == path ? std::string("the file") : data_file) +
                " holds " + byte_count_text(file_bytes) + (gz ? " compressed" : "") +
                " (corrupt header or truncated file)");
}

// The stored dims and datatype, checked before nifticlib sees the file: it
// silently replaces non-positive dims by 1.
struct RawHeader {
  int64_t dim[8];
  int datatype;
  std::string magic;  // up to the first NUL
};

std::optional<RawHeader> read_raw_header(const std::string& path) {
  int version = 0;
  void* raw = nifti_read_header(path.c_str(), &version, 0);
  if (!raw) return std::nullopt;
  const auto fields = [&] {
    RawHeader h{};
    if (version == 2) {
      const auto* n2 = static_cast<const nifti_2_header*>(raw);
      std::copy(n2->dim, n2->dim + 8, h.dim);
      h.datatype = n2->datatype;
      h.magic = std::string(n2->magic, strnlen(n2->magic, 4));
    } else {
      const auto* n1 = static_cast<const nifti_1_header*>(raw);
      std::copy(n1->dim, n1->dim + 8, h.dim);
      h.datatype = n1->datatype;
      h.magic = std::string(n1->magic, strnlen(n1->magic, 4));
    }
    return h;
  };
  RawHeader header = fields();
  // NIfTI: a dim[0] outside 1..7 means the file has the other byte order.
  if (header.dim[0] < 1 || header.dim[0] > 7) {
    swap_nifti_header(raw, version == 2 ? 2 : 1);
    const RawHeader swapped = fields();
    if (swapped.dim[0] >= 1 && swapped.dim[0] <= 7) header = swapped;
  }
  std::free(raw);
  return header;
}

NimPtr open_header(const std::string& path) {
  silence_nifticlib();
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (!fs::exists(status)) throw Error(path + ": file not found");
  if (fs::is_directory(status)) throw Error(path + ": is a directory, not a NIfTI file");
  const auto raw = read_raw_header(path);
  if (!raw) throw Error(path + ": not a NIfTI file (no NIfTI-1 or NIfTI-2 header)");
  // nifticlib reads a NIfTI-1-sized header with another magic as ANALYZE 7.5,
  // whose orientation and scaling conventions differ: refuse it.
  if (raw->magic != "n+1" && raw->magic != "ni1" && raw->magic != "n+2" && raw->magic != "ni2")
    throw Error(path + ": invalid NIfTI magic string '" + printable(raw->magic) +
                "' (expected n+1, ni1, n+2 or ni2; ANALYZE 7.5 files are not read)");
  check_dims_and_type(path, raw->dim, raw->datatype);
  NimPtr nim(nifti_image_read(path.c_str(), 0));
  if (!nim) throw Error(path + ": invalid NIfTI header");
  check_dims_and_type(path, nim->dim, nim->datatype);
  check_grid_fits_file(path, raw->dim, raw->datatype, nim->iname ? nim->iname : path);
  return nim;
}

// double -> float -> double through memory: GCC 12 at -O2 was seen to fold the
// plain casts away, leaving values that a NIfTI-1 file cannot hold.
double as_float(double v) {
  volatile float f = static_cast<float>(v);
  return f;
}

template <typename T>
void scale_into(const void* src, float* dst, int64_t n, bool scaled, double slope, double inter) {
  const T* in = static_cast<const T*>(src);
  if (scaled) {
    for (int64_t k = 0; k < n; ++k) dst[k] = static_cast<float>(double(in[k]) * slope + inter);
  } else {
    for (int64_t k = 0; k < n; ++k) dst[k] = static_cast<float>(in[k]);
  }
}

void convert(const nifti_image* nim, const void* src, float* dst) {
  // NIfTI: scl_slope == 0 means the stored values are the real values.
  const bool scaled = nim->scl_slope != 0 && std::isfinite(nim->scl_slope) &&
                      std::isfinite(nim->scl_inter) &&
                      !(nim->scl_slope == 1 && nim->scl_inter == 0);
  const double slope = nim->scl_slope, inter = nim->scl_inter;
  const int64_t n = nim->nvox;
  switch (nim->datatype) {
    case DT_UINT8:
      return scale_into<uint8_t>(src, dst, n, scaled, slope, inter);
    case DT_INT8:
      return scale_into<int8_t>(src, dst, n, scaled, slope, inter);
    case DT_INT16:
      return scale_into<int16_t>(src, dst, n, scaled, slope, inter);
    case DT_UINT16:
      return scale_into<uint16_t>(src, dst, n, scaled, slope, inter);
    case DT_INT32:
      return scale_into<int32_t>(src, dst, n, scaled, slope, inter);
    case DT_UINT32:
      return scale_into<uint32_t>(src, dst, n, scaled, slope, inter);
    case DT_INT64:
      return scale_into<int64_t>(src, dst, n, scaled, slope, inter);
    case DT_FLOAT32:
      return scale_into<float>(src, dst, n, scaled, slope, inter);
    case DT_FLOAT64:
      return scale_into<double>(src, dst, n, scaled, slope, inter);
    default:
      throw Error("unsupported datatype");  // excluded by check_dims_and_type
  }
}

// Reads, converts and checks the voxels; `shape` is the tensor shape to return.
// The bytes are read here rather than by nifti_image_load, which turns NaN and
// Inf into 0 and reports a short read only as a failure.
torch::Tensor load_voxels(const nifti_image* nim, const std::string& path,
                          std::vector<int64_t> shape, NonFinite non_finite) {
  const int64_t nbytes = nim->nvox * nim->nbyper;
  std::vector<char> bytes(static_cast<size_t>(nbytes));
  znzFile file = znzopen(nim->iname, "rb", nifti_is_gzfile(nim->iname));
  if (znz_isnull(file)) throw Error(path + ": cannot open " + nim->iname);
  int64_t got = 0;
  if (znzseek(file, nim->iname_offset, SEEK_SET) >= 0) got = znzread(bytes.data(), 1, nbytes, file);
  znzclose(file);
  if (got < nbytes)
    throw Error(path + ": truncated file: " + std::to_string(std::max<int64_t>(got, 0)) +
                " bytes of voxel data where the header's " + join_dims(nim->dim + 1, nim->dim[0]) +
                " " + nifti_datatype_name(nim->datatype) + " grid needs " + std::to_string(nbytes));
  if (nim->byteorder != nifti_short_order() && nim->swapsize > 1)
    nifti_swap_Nbytes(nim->nvox, nim->swapsize, bytes.data());

  torch::Tensor data = torch::empty(shape, torch::kFloat32);
  convert(nim, bytes.data(), data.data_ptr<float>());
  if (non_finite == NonFinite::Keep) return data;
  const int64_t nan = torch::isnan(data).sum().item<int64_t>();
  const int64_t inf = torch::isinf(data).sum().item<int64_t>();
  if (nan + inf == 0) return data;
  if (non_finite == NonFinite::ToZero) return data.masked_fill_(~torch::isfinite(data), 0.0f);
  throw Error(path + ": contains " + std::to_string(nan) + " NaN and " + std::to_string(inf) +
              " Inf voxels (--nan-to-num sets them to 0)");
}

std::vector<int64_t> reversed_dims(const nifti_image* nim) {
  std::vector<int64_t> shape(nim->dim + 1, nim->dim + 1 + nim->dim[0]);
  std::reverse(shape.begin(), shape.end());
  return shape;
}

int64_t extent(const nifti_image* nim, int k) { return k <= nim->dim[0] ? nim->dim[k] : 1; }

std::array<std::array<double, 4>, 4> to_array(const nifti_dmat44& m) {
  std::array<std::array<double, 4>, 4> a{};
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) a[r][c] = m.m[r][c];
  return a;
}

// Removes the temporary output unless it was renamed into place.
struct TempFile {
  fs::path path;
  bool keep = false;
  ~TempFile() {
    std::error_code ec;
    if (!keep) fs::remove(path, ec);
  }
};

// Voxels as stored: value / slope, rounded and clamped for integer types.
template <typename T>
std::vector<T> quantize(const float* values, int64_t n, double slope, double& lo, double& hi) {
  std::vector<T> out(n);
  const bool integer = std::numeric_limits<T>::is_integer;
  const double tmin = integer ? double(std::numeric_limits<T>::min()) : -INFINITY;
  const double tmax = integer ? double(std::numeric_limits<T>::max()) : INFINITY;
  lo = INFINITY;
  hi = -INFINITY;
  for (int64_t k = 0; k < n; ++k) {
    double v = double(values[k]) / slope;
    if (integer) v = std::clamp(std::round(v), tmin, tmax);
    out[k] = static_cast<T>(v);
    lo = std::min(lo, double(out[k]) * slope);
    hi = std::max(hi, double(out[k]) * slope);
  }
  return out;
}

}  // namespace

// ---- NiftiHeader ----

std::array<int64_t, 8> NiftiHeader::dim() const {
  std::array<int64_t, 8> d{};
  std::copy(nim_of(*this)->dim, nim_of(*this)->dim + 8, d.begin());
  return d;
}

std::array<double, 8> NiftiHeader::pixdim() const {
  std::array<double, 8> p{};
  std::copy(nim_of(*this)->pixdim, nim_of(*this)->pixdim + 8, p.begin());
  return p;
}

int NiftiHeader::datatype() const { return nim_of(*this)->datatype; }

std::array<int64_t, 3> NiftiHeader::size_dhw() const {
  const nifti_image* nim = nim_of(*this);
  return {extent(nim, 3), extent(nim, 2), extent(nim, 1)};
}

std::array<std::array<double, 4>, 4> NiftiHeader::sform() const {
  return to_array(nim_of(*this)->sto_xyz);
}

std::array<std::array<double, 4>, 4> NiftiHeader::qform() const {
  return to_array(nim_of(*this)->qto_xyz);
}

int NiftiHeader::qform_code() const { return nim_of(*this)->qform_code; }
int NiftiHeader::sform_code() const { return nim_of(*this)->sform_code; }
double NiftiHeader::scl_slope() const { return nim_of(*this)->scl_slope; }
double NiftiHeader::scl_inter() const { return nim_of(*this)->scl_inter; }
int NiftiHeader::intent_code() const { return nim_of(*this)->intent_code; }

std::array<std::array<double, 4>, 4> NiftiHeader::voxel_to_world() const {
  return sform_code() > 0 ? sform() : qform();
}

std::string NiftiHeader::orientation() const {
  const auto a = voxel_to_world();
  nifti_dmat44 m;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) m.m[r][c] = a[r][c];
  int i = 0, j = 0, k = 0;
  nifti_dmat44_to_orientation(m, &i, &j, &k);
  // nifticlib's codes name an axis by the direction it runs; its string's last word is where it
  // points.
  auto to = [](int code) {
    const std::string s = nifti_orientation_string(code);  // e.g. "Left-to-Right"
    return s.empty() ? '?' : s[s.rfind('-') + 1];
  };
  return std::string{to(i), to(j), to(k)};
}

bool same_affine(const NiftiHeader& a, const NiftiHeader& b, double tolerance_mm) {
  const auto x = a.voxel_to_world(), y = b.voxel_to_world();
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c)
      if (!(std::abs(x[r][c] - y[r][c]) <= tolerance_mm)) return false;
  return true;
}

std::string nifti_datatype_name(int datatype) {
  switch (datatype) {
    case DT_UINT8:
      return "uint8";
    case DT_INT8:
      return "int8";
    case DT_INT16:
      return "int16";
    case DT_UINT16:
      return "uint16";
    case DT_INT32:
      return "int32";
    case DT_UINT32:
      return "uint32";
    case DT_INT64:
      return "int64";
    case DT_UINT64:
      return "uint64";
    case DT_FLOAT32:
      return "float32";
    case DT_FLOAT64:
      return "float64";
    default:
      break;
  }
  std::string name = nifti_datatype_string(datatype);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::string nifti_dims_string(const NiftiHeader& header) {
  const nifti_image* nim = nim_of(header);
  return join_dims(nim->dim + 1, nim->dim[0]);
}

// ---- reading ----

Volume read_nifti(const std::string& path, NonFinite non_finite) {
  NimPtr nim = open_header(path);
  torch::Tensor data = load_voxels(nim.get(), path, reversed_dims(nim.get()), non_finite);
  return Volume{data, wrap(std::move(nim)), path};
}

Volume read_nifti_3d(const std::string& path, NonFinite non_finite) {
  NimPtr nim = open_header(path);
  int64_t ndim = nim->dim[0];
  while (ndim > 3 && nim->dim[ndim] == 1) --ndim;
  if (ndim > 3)
    throw Error(path + " is " + std::to_string(ndim) + "-D (" + join_dims(nim->dim + 1, ndim) +
                "); a 3-D volume is required");
  const nifti_image* n = nim.get();
  torch::Tensor data =
      load_voxels(nim.get(), path, {extent(n, 3), extent(n, 2), extent(n, 1)}, non_finite);
  return Volume{data, wrap(std::move(nim)), path};
}

NiftiHeader read_nifti_header(const std::string& path) { return wrap(open_header(path)); }

// ---- writing ----

void write_nifti(const std::string& path, const torch::Tensor& data, const NiftiHeader& reference,
                 OutputType type, double slope) {
  silence_nifticlib();
  const nifti_image* ref = nim_of(reference);
  const bool gz = ends_with(path, ".nii.gz");
  if (!gz && !ends_with(path, ".nii"))
    throw Error(path + ": output file name must end in .nii or .nii.gz");
  const fs::path out(path);
  const fs::path dir = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  if (!fs::is_directory(dir))
    throw Error(path + ": output directory " + dir.string() + " does not exist");
  if (!data.defined() || (data.dim() != 3 && data.dim() != 4))
    throw Error(path + ": data to write must be (D, H, W) or (C, D, H, W), got " +
                (data.defined() ? std::to_string(data.dim()) + "-D" : std::string("no tensor")));
  const auto dhw = reference.size_dhw();
  const int64_t d0 = data.dim() - 3;
  if (data.size(d0) != dhw[0] || data.size(d0 + 1) != dhw[1] || data.size(d0 + 2) != dhw[2])
    throw Error(path + ": data grid " + std::to_string(data.size(d0)) + "x" +
                std::to_string(data.size(d0 + 1)) + "x" + std::to_string(data.size(d0 + 2)) +
                " (DxHxW) differs from the reference grid " + std::to_string(dhw[0]) + "x" +
                std::to_string(dhw[1]) + "x" + std::to_string(dhw[2]));
  if (!(slope > 0) || !std::isfinite(slope))
    throw Error(path + ": scale slope must be positive, got " + std::to_string(slope));
  const torch::Tensor values = data.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  const int64_t bad = (~torch::isfinite(values)).sum().item<int64_t>();
  if (bad > 0) throw Error(path + ": data to write contains " + std::to_string(bad) + " NaN/Inf");

  NimPtr nim(nifti_copy_nim_info(ref));
  if (!nim) throw Error(path + ": could not copy the reference header");
  nifti_free_extensions(nim.get());  // derived data: the reference's extensions no longer apply
  nim->dim[0] = data.dim();
  nim->dim[1] = dhw[2];
  nim->dim[2] = dhw[1];
  nim->dim[3] = dhw[0];
  nim->dim[4] = data.dim() == 4 ? data.size(0) : 1;
  for (int k = 5; k < 8; ++k) nim->dim[k] = 1;
  for (int k = 4; k < 8; ++k)
    if (!(nim->pixdim[k] > 0)) nim->pixdim[k] = 1;
  nifti_update_dims_from_array(nim.get());

  const int64_t n = values.numel();
  double lo = 0, hi = 0;
  std::vector<uint8_t> u8;
  std::vector<int16_t> i16;
  std::vector<float> f32;
  void* voxels = nullptr;
  switch (type) {
    case OutputType::UInt8:
    case OutputType::Label:
      u8 = quantize<uint8_t>(values.data_ptr<float>(), n, slope, lo, hi);
      voxels = u8.data();
      nim->datatype = DT_UINT8;
      break;
    case OutputType::Int16:
      i16 = quantize<int16_t>(values.data_ptr<float>(), n, slope, lo, hi);
      voxels = i16.data();
      nim->datatype = DT_INT16;
      break;
    case OutputType::Float32:
      f32 = quantize<float>(values.data_ptr<float>(), n, slope, lo, hi);
      voxels = f32.data();
      nim->datatype = DT_FLOAT32;
      break;
  }
  nifti_datatype_sizes(nim->datatype, &nim->nbyper, &nim->swapsize);
  nim->scl_slope = slope;
  nim->scl_inter = 0;
  // cal_min == cal_max == 0 tells viewers to choose the display range themselves.
  nim->cal_min = lo < hi ? lo : 0;
  nim->cal_max = lo < hi ? hi : 0;
  nim->intent_code = type == OutputType::Label ? NIFTI_INTENT_LABEL : NIFTI_INTENT_NONE;
  nim->intent_name[0] = '\0';
  nim->aux_file[0] = '\0';
  std::strncpy(nim->descrip, "lrpseg", sizeof(nim->descrip) - 1);
  nim->descrip[sizeof(nim->descrip) - 1] = '\0';
  // NIfTI-1 is what every viewer reads; only grids too large for it need NIfTI-2.
  const bool fits_nifti1 =
      std::all_of(nim->dim, nim->dim + 8, [](int64_t d) { return d <= 32767; });
  nim->nifti_type = fits_nifti1 ? NIFTI_FTYPE_NIFTI1_1 : NIFTI_FTYPE_NIFTI2_1;

  const std::string ext = gz ? ".nii.gz" : ".nii";
  const std::string stem =
      out.filename().string().substr(0, out.filename().string().size() - ext.size());
  TempFile temp{dir / temporary_name(stem, ::getpid(), ext)};
  if (nifti_set_filenames(nim.get(), temp.path.c_str(), 0, 1) != 0)
    throw Error(path + ": could not set the output file name");
  nim->byteorder = nifti_short_order();
  nifti_set_iname_offset(nim.get(), fits_nifti1 ? 1 : 2);
  // The header through nifticlib, the voxels by us: nifti_image_write reports a
  // short write (a full disk) only as a line on stderr, and not to its caller.
  errno = 0;
  znzFile file = nifti_image_write_hdr_img(nim.get(), /*leave open, no data=*/2, "wb");
  const auto failed = [&](const char* what) {
    const int error = errno;
    return Error(path + ": could not write the file (" + what +
                 (error ? std::string(": ") + std::strerror(error) : std::string()) + ")");
  };
  if (znz_isnull(file)) throw failed("header");
  const size_t bytes = static_cast<size_t>(n) * static_cast<size_t>(nim->nbyper);
  bool written =
      znzseek(file, nim->iname_offset, SEEK_SET) >= 0 && znzwrite(voxels, 1, bytes, file) == bytes;
  written = znzclose(file) == 0 && written;  // a gzip stream flushes its last block here
  if (!written) throw failed("voxel data");
  sync_file(temp.path.string());
  std::error_code ec;
  fs::rename(temp.path, out, ec);
  if (ec) throw Error(path + ": could not move the written file into place: " + ec.message());
  temp.keep = true;
  sync_folder(dir.string());
}

NiftiHeader make_nifti_header(std::array<int64_t, 3> size_dhw, std::array<double, 3> spacing_ijk,
                              std::array<double, 3> origin_mm) {
  silence_nifticlib();
  for (int64_t s : size_dhw)
    if (s <= 0) throw Error("make_nifti_header: grid sizes must be positive");
  for (double s : spacing_ijk)
    if (!(s > 0) || !std::isfinite(s)) throw Error("make_nifti_header: spacing must be positive");
  const int64_t dims[8] = {3, size_dhw[2], size_dhw[1], size_dhw[0], 1, 1, 1, 1};
  NimPtr nim(nifti_make_new_nim(dims, DT_FLOAT32, 0));
  if (!nim) throw Error("make_nifti_header: nifticlib could not make a header");
  // Values pass through float so that the header survives a NIfTI-1 round trip
  // unchanged.
  const double dx = as_float(spacing_ijk[0]), dy = as_float(spacing_ijk[1]),
               dz = as_float(spacing_ijk[2]);
  const double ox = as_float(origin_mm[0]), oy = as_float(origin_mm[1]),
               oz = as_float(origin_mm[2]);
  nim->dx = nim->pixdim[1] = dx;
  nim->dy = nim->pixdim[2] = dy;
  nim->dz = nim->pixdim[3] = dz;
  nim->qfac = 1;
  nim->pixdim[0] = 0;  // as nifticlib reads it back
  for (int k = 4; k < 8; ++k) nim->pixdim[k] = 1;
  nim->quatern_b = nim->quatern_c = nim->quatern_d = 0;
  nim->qoffset_x = ox;
  nim->qoffset_y = oy;
  nim->qoffset_z = oz;
  nim->qform_code = NIFTI_XFORM_SCANNER_ANAT;
  nim->sform_code = NIFTI_XFORM_SCANNER_ANAT;
  nim->qto_xyz = nifti_quatern_to_dmat44(0, 0, 0, ox, oy, oz, dx, dy, dz, 1);
  nim->qto_ijk = nifti_dmat44_inverse(nim->qto_xyz);
  nim->sto_xyz = nim->qto_xyz;
  nim->sto_ijk = nim->qto_ijk;
  nim->xyz_units = NIFTI_UNITS_MM;
  nim->time_units = NIFTI_UNITS_SEC;
  nim->nifti_type = NIFTI_FTYPE_NIFTI1_1;
  std::strncpy(nim->descrip, "lrpseg", sizeof(nim->descrip) - 1);
  return wrap(std::move(nim));
}

}  // namespace lrpseg

namespace lrpseg {

NiftiHeader resampled_header(const NiftiHeader& reference, std::array<int64_t, 3> size_dhw) {
  const nifti_image* ref = nim_of(reference);
  NimPtr nim(nifti_copy_nim_info(ref));
  if (!nim) throw Error("resampled_header: nifticlib could not copy the header");
  // Scale per NIfTI axis i, j, k = W, H, D. A new voxel centre n maps to the old
  // continuous index (n + 0.5)·s − 0.5 (align_corners = false resampling).
  const std::array<int64_t, 3> old_ijk{extent(ref, 1), extent(ref, 2), extent(ref, 3)};
  const std::array<int64_t, 3> new_ijk{size_dhw[2], size_dhw[1], size_dhw[0]};
  nifti_dmat44 scale;
  std::memset(&scale, 0, sizeof scale);
  for (int a = 0; a < 3; ++a) {
    if (new_ijk[a] <= 0) throw Error("resampled_header: grid sizes must be positive");
    const double s = static_cast<double>(old_ijk[a]) / static_cast<double>(new_ijk[a]);
    scale.m[a][a] = s;
    scale.m[a][3] = (s - 1.0) / 2.0;
    nim->pixdim[a + 1] = ref->pixdim[a + 1] * s;
    nim->dim[a + 1] = new_ijk[a];
  }
  scale.m[3][3] = 1.0;
  nim->nx = new_ijk[0];
  nim->ny = new_ijk[1];
  nim->nz = new_ijk[2];
  nim->dx = nim->pixdim[1];
  nim->dy = nim->pixdim[2];
  nim->dz = nim->pixdim[3];
  nim->dim[0] = nim->ndim = std::max<int64_t>(3, ref->ndim);
  nifti_update_dims_from_array(nim.get());
  nim->sto_xyz = nifti_dmat44_mul(ref->sto_xyz, scale);
  nim->sto_ijk = nifti_dmat44_inverse(nim->sto_xyz);
  nim->qto_xyz = nifti_dmat44_mul(ref->qto_xyz, scale);
  nim->qto_ijk = nifti_dmat44_inverse(nim->qto_xyz);
  nim->qoffset_x = nim->qto_xyz.m[0][3];
  nim->qoffset_y = nim->qto_xyz.m[1][3];
  nim->qoffset_z = nim->qto_xyz.m[2][3];
  return wrap(std::move(nim));
}

}  // namespace lrpseg
