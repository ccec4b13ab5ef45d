#include "model/torch_save.h"

#include <zlib.h>

#include <cstdint>
#include <limits>

#include "util/error.h"

namespace lrpseg {

namespace {

void put_u16(std::string& out, uint32_t v) {
  out += static_cast<char>(v & 0xff);
  out += static_cast<char>((v >> 8) & 0xff);
}

void put_u32(std::string& out, uint32_t v) {
  put_u16(out, v & 0xffff);
  put_u16(out, v >> 16);
}

// The pickle opcodes torch.save's protocol-2 stream uses.
class Pickle {
 public:
  Pickle() { out_ += "\x80\x02"; }  // PROTO 2
  void mark() { out_ += '('; }
  void tuple() { out_ += 't'; }
  void empty_tuple() { out_ += ')'; }
  void empty_dict() { out_ += '}'; }
  void set_items() { out_ += 'u'; }
  void reduce() { out_ += 'R'; }
  void persistent_id() { out_ += 'Q'; }  // BINPERSID
  void false_value() { out_ += '\x89'; }
  void global(const std::string& module, const std::string& name) {
    out_ += 'c' + module + '\n' + name + '\n';
  }
  void text(const std::string& s) {  // BINUNICODE
    out_ += 'X';
    put_u32(out_, static_cast<uint32_t>(s.size()));
    out_ += s;
  }
  void integer(int64_t v) {
    if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) {
      out_ += 'J';  // BININT, 4-byte signed little-endian
      put_u32(out_, static_cast<uint32_t>(static_cast<int32_t>(v)));
      return;
    }
    out_ += "\x8a\x08";  // LONG1 with 8 bytes, two's complement little-endian
    for (int i = 0; i < 8; ++i)
      out_ += static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
  }
  void integers(c10::IntArrayRef values) {
    if (values.empty()) return empty_tuple();
    mark();
    for (int64_t v : values) integer(v);
    tuple();
  }
  std::string finish() { return out_ + '.'; }  // STOP

 private:
  std::string out_;
};

const char* storage_type(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat:
      return "FloatStorage";
    case torch::kDouble:
      return "DoubleStorage";
    case torch::kLong:
      return "LongStorage";
    default:
      throw Error("model.pt: unsupported tensor type " + std::string(c10::toString(t)));
  }
}

// A zip archive of stored records, each record's data aligned to 64 bytes with
// a padding extra field, as PyTorch's writer does (mmap-friendly).
class ZipWriter {
 public:
  void add(const std::string& name, const std::string& data) {
    if (out_.size() > std::numeric_limits<uint32_t>::max() - data.size() - 1024)
      throw Error("model.pt: archive larger than 4 GiB");
    const auto offset = static_cast<uint32_t>(out_.size());
    const uint32_t crc = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(data.data()),
                               static_cast<uInt>(data.size()));
    const size_t header = 30 + name.size() + 4;  // with a 4-byte extra field header
    const size_t padding = (64 - (out_.size() + header) % 64) % 64;
    put_u32(out_, 0x04034b50);
    put_u16(out_, 20);    // version needed
    put_u16(out_, 0);     // flags
    put_u16(out_, 0);     // stored
    put_u16(out_, 0);     // time
    put_u16(out_, 0x21);  // date 1980-01-01
    put_u32(out_, crc);
    put_u32(out_, static_cast<uint32_t>(data.size()));
    put_u32(out_, static_cast<uint32_t>(data.size()));
    put_u16(out_, static_cast<uint32_t>(name.size()));
    put_u16(out_, static_cast<uint32_t>(4 + padding));
    out_ += name;
    out_ += "FB";  // PyTorch's padding field id
    put_u16(out_, static_cast<uint32_t>(padding));
    out_.append(padding, 'Z');
    out_ += data;
    entries_.push_back({name, crc, static_cast<uint32_t>(data.size()), offset});
  }

  std::string finish() {
    const auto directory = static_cast<uint32_t>(out_.size());
    for (const Entry& e : entries_) {
      put_u32(out_, 0x02014b50);
      put_u16(out_, 20);  // made by
      put_u16(out_, 20);  // needed
      put_u16(out_, 0);
      put_u16(out_, 0);
      put_u16(out_, 0);
      put_u16(out_, 0x21);
      put_u32(out_, e.crc);
      put_u32(out_, e.size);
      put_u32(out_, e.size);
      put_u16(out_, static_cast<uint32_t>(e.name.size()));
      put_u16(out_, 0);  // extra
      put_u16(out_, 0);  // comment
      put_u16(out_, 0);  // disk
      put_u16(out_, 0);  // internal attributes
      put_u32(out_, 0);  // external attributes
      put_u32(out_, e.offset);
      out_ += e.name;
    }
    const auto size = static_cast<uint32_t>(out_.size()) - directory;
    put_u32(out_, 0x06054b50);
    put_u16(out_, 0);
    put_u16(out_, 0);
    put_u16(out_, static_cast<uint32_t>(entries_.size()));
    put_u16(out_, static_cast<uint32_t>(entries_.size()));
    put_u32(out_, size);
    put_u32(out_, directory);
    put_u16(out_, 0);
    return std::move(out_);
  }

 private:
  struct Entry {
    std::string name;
    uint32_t crc, size, offset;
  };
  std::string out_;
  std::vector<Entry> entries_;
};

}  // namespace

std::string torch_save_bytes(const NamedTensors& tensors) {
  if (tensors.size() > 65000) throw Error("model.pt: too many tensors for one archive");
  Pickle p;
  p.empty_dict();
  p.mark();
  std::vector<std::string> records;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto& [name, tensor] = tensors[i];
    const torch::Tensor t = tensor.detach().cpu().contiguous();
    const std::string key = std::to_string(i);
    p.text(name);
    p.global("torch._utils", "_rebuild_tensor_v2");
    p.mark();
    p.mark();  // persistent id: ('storage', torch.<Type>Storage, key, 'cpu', numel)
    p.text("storage");
    p.global("torch", storage_type(t.scalar_type()));
    p.text(key);
    p.text("cpu");
    p.integer(t.numel());
    p.tuple();
    p.persistent_id();
    p.integer(0);  // storage offset
    p.integers(t.sizes());
    p.integers(t.strides());
    p.false_value();                         // requires_grad
    p.global("collections", "OrderedDict");  // backward hooks: OrderedDict()
    p.empty_tuple();
    p.reduce();
    p.tuple();
    p.reduce();
    records.emplace_back(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
  }
  p.set_items();
  ZipWriter zip;
  zip.add("archive/data.pkl", p.finish());
  zip.add("archive/byteorder", "little");
  for (size_t i = 0; i < records.size(); ++i)
    zip.add("archive/data/" + std::to_string(i), records[i]);
  zip.add("archive/version", "3\n");
  return zip.finish();
}

}  // namespace lrpseg
