#include "model/torch_load.h"

#include <cstring>
#include <map>
#include <memory>
#include <optional>

#include "util/error.h"

namespace lrpseg {

namespace {

uint64_t little_endian(const std::string& b, size_t at, int bytes, const std::string& source) {
  if (at + bytes > b.size()) throw Error(source + ": truncated");
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

// Whether the 4-byte signature `magic` is at offset `at` (false past the end:
// offsets come from the file and may point anywhere).
bool signature_at(const std::string& b, uint64_t at, const char* magic) {
  return at <= b.size() && b.size() - at >= 4 && b.compare(at, 4, magic) == 0;
}

// name → record bytes of a zip of stored records (what torch.save writes).
std::map<std::string, std::string> read_zip(const std::string& b, const std::string& source) {
  // Before PyTorch 1.6, torch.save wrote pickles opening with its magic number
  // 0x1950a86a20f9469cfc6c.
  static const std::string kLegacy("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 14);
  if (b.compare(0, kLegacy.size(), kLegacy) == 0) {
    throw Error(source +
                ": legacy torch.save format (PyTorch < 1.6); re-save it with a current PyTorch: "
                "torch.save(torch.load(f), f)");
  }
  if (b.size() < 22 || !signature_at(b, 0, "PK\x03\x04"))
    throw Error(source + ": not a torch.save zip archive");
  size_t end = b.size() - 22;
  while (end > 0 && !signature_at(b, end, "PK\x05\x06")) --end;
  if (!signature_at(b, end, "PK\x05\x06")) throw Error(source + ": zip directory not found");
  const auto count = little_endian(b, end + 10, 2, source);
  size_t at = little_endian(b, end + 16, 4, source);
  std::map<std::string, std::string> records;
  for (uint64_t i = 0; i < count; ++i) {
    if (!signature_at(b, at, "PK\x01\x02")) throw Error(source + ": corrupt zip directory");
    const auto method = little_endian(b, at + 10, 2, source);
    const auto size = little_endian(b, at + 20, 4, source);
    const auto name_length = little_endian(b, at + 28, 2, source);
    const auto extra = little_endian(b, at + 30, 2, source);
    const auto comment = little_endian(b, at + 32, 2, source);
    const auto local = little_endian(b, at + 42, 4, source);
    if (at + 46 + name_length > b.size()) throw Error(source + ": truncated");
    const std::string name = b.substr(at + 46, name_length);
    if (method != 0) throw Error(source + ": record '" + name + "' is compressed");
    const size_t data = local + 30 + little_endian(b, local + 26, 2, source) +
                        little_endian(b, local + 28, 2, source);
    if (data + size > b.size()) throw Error(source + ": record '" + name + "' is truncated");
    records[name] = b.substr(data, size);
    at += 46 + name_length + extra + comment;
  }
  return records;
}

struct Value;
using ValuePtr = std::shared_ptr<Value>;

struct Value {
  enum Kind { None, Bool, Int, Float, Text, Tuple, List, Dict, Global, Storage, Tensor, Mark } kind;
  int64_t integer = 0;
  double number = 0;
  std::string text;                                  // Text, Global "module.name"
  std::vector<ValuePtr> items;                       // Tuple, List
  std::vector<std::pair<ValuePtr, ValuePtr>> pairs;  // Dict, in insertion order
  torch::Tensor tensor;                              // Storage (1-D), Tensor
};

ValuePtr make(Value::Kind kind) {
  auto v = std::make_shared<Value>();
  v->kind = kind;
  return v;
}

const std::map<std::string, torch::ScalarType>& storage_types() {
  static const std::map<std::string, torch::ScalarType> types{
      {"torch.FloatStorage", torch::kFloat}, {"torch.DoubleStorage", torch::kDouble},
      {"torch.HalfStorage", torch::kHalf},   {"torch.BFloat16Storage", torch::kBFloat16},
      {"torch.LongStorage", torch::kLong},   {"torch.IntStorage", torch::kInt},
      {"torch.ShortStorage", torch::kShort}, {"torch.CharStorage", torch::kChar},
      {"torch.ByteStorage", torch::kByte},   {"torch.BoolStorage", torch::kBool}};
  return types;
}

std::vector<int64_t> integers(const ValuePtr& v, const std::string& source) {
  if (v->kind != Value::Tuple) throw Error(source + ": tensor size or stride is not a tuple");
  std::vector<int64_t> out;
  for (const auto& item : v->items) {
    if (item->kind != Value::Int) throw Error(source + ": tensor size or stride is not integral");
    out.push_back(item->integer);
  }
  return out;
}

class Unpickler {
 public:
  Unpickler(const std::string& pickle, const std::map<std::string, std::string>& records,
            std::string prefix, std::string source)
      : p_(pickle), records_(records), prefix_(std::move(prefix)), source_(std::move(source)) {}

  ValuePtr run() {
    while (true) {
      const auto op = static_cast<unsigned char>(byte());
      switch (op) {
        case 0x80:
          byte();
          break;  // PROTO
        case 0x95:
          take(8);
          break;  // FRAME
        case '(':
          stack_.push_back(make(Value::Mark));
          break;
        case ')':
          stack_.push_back(make(Value::Tuple));
          break;
        case 't':
          tuple_from_mark();
          break;
        case 0x85:
        case 0x86:
        case 0x87:
          tuple_of(op - 0x84);
          break;
        case '}':
          stack_.push_back(make(Value::Dict));
          break;
        case ']':
          stack_.push_back(make(Value::List));
          break;
        case 's':
          set_items(2);
          break;
        case 'u':
          set_items(0);
          break;
        case 'a':
          append(1);
          break;
        case 'e':
          append(0);
          break;
        case 'N':
          stack_.push_back(make(Value::None));
          break;
        case 0x88:
        case 0x89: {
          auto v = make(Value::Bool);
          v->integer = op == 0x88;
          stack_.push_back(v);
          break;
        }
        case 'J':
          push_int(static_cast<int32_t>(number(4)));
          break;
        case 'K':
          push_int(static_cast<int64_t>(number(1)));
          break;
        case 'M':
          push_int(static_cast<int64_t>(number(2)));
          break;
        case 0x8a:
          push_long(number(1));
          break;
        case 'G': {
          const uint64_t big = number_big_endian(8);
          auto v = make(Value::Float);
          std::memcpy(&v->number, &big, 8);
          stack_.push_back(v);
          break;
        }
        case 'X':
          push_text(take(number(4)));
          break;
        case 0x8c:
          push_text(take(number(1)));
          break;
        case 0x8d:
          push_text(take(number(8)));
          break;
        case 'c': {
          const std::string module = line(), name = line();
          push_global(module + "." + name);
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          const ValuePtr name = pop(), module = pop();
          push_global(module->text + "." + name->text);
          break;
        }
        case 'q':
          memo_[number(1)] = top();
          break;
        case 'r':
          memo_[number(4)] = top();
          break;
        case 0x94:
          memo_[memo_.size()] = top();
          break;
        case 'h':
          push_memo(number(1));
          break;
        case 'j':
          push_memo(number(4));
          break;
        case 'Q':
          stack_.push_back(persistent(pop()));
          break;
        case 'R': {
          const ValuePtr args = pop(), callable = pop();
          stack_.push_back(reduce(callable, args));
          break;
        }
        case 'b':
          pop();
          break;  // BUILD: an OrderedDict's _metadata, not needed
        case '.':
          return pop();
        default:
          throw Error(source_ + ": unsupported pickle opcode 0x" + hex(op) +
                      " (not a state dict of tensors)");
      }
    }
  }

 private:
  static std::string hex(unsigned v) {
    const char* digits = "0123456789abcdef";
    return std::string{digits[v >> 4], digits[v & 15]};
  }
  char byte() {
    if (at_ >= p_.size()) throw Error(source_ + ": data.pkl ends early");
    return p_[at_++];
  }
  std::string take(uint64_t n) {
    if (n > p_.size() - at_) throw Error(source_ + ": data.pkl ends early");
    std::string out = p_.substr(at_, n);
    at_ += n;
    return out;
  }
  uint64_t number(int bytes) {
    const uint64_t v = little_endian(p_, at_, bytes, source_ + ": data.pkl");
    at_ += bytes;
    return v;
  }
  uint64_t number_big_endian(int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(byte());
    return v;
  }
  std::string line() {
    const size_t end = p_.find('\n', at_);
    if (end == std::string::npos) throw Error(source_ + ": data.pkl ends early");
    std::string out = p_.substr(at_, end - at_);
    at_ = end + 1;
    return out;
  }
  ValuePtr pop() {
    if (stack_.empty()) throw Error(source_ + ": malformed pickle (stack underflow)");
    ValuePtr v = stack_.back();
    stack_.pop_back();
    return v;
  }
  ValuePtr top() {
    if (stack_.empty()) throw Error(source_ + ": malformed pickle (stack underflow)");
    return stack_.back();
  }
  std::vector<ValuePtr> since_mark() {
    std::vector<ValuePtr> items;
    while (true) {
      ValuePtr v = pop();
      if (v->kind == Value::Mark) break;
      items.insert(items.begin(), v);
    }
    return items;
  }
  void tuple_from_mark() {
    auto t = make(Value::Tuple);
    t->items = since_mark();
    stack_.push_back(t);
  }
  void tuple_of(int n) {
    auto t = make(Value::Tuple);
    for (int i = 0; i < n; ++i) t->items.insert(t->items.begin(), pop());
    stack_.push_back(t);
  }
  void set_items(int n) {
    std::vector<ValuePtr> items;
    if (n == 2) {
      items.resize(2);
      items[1] = pop();
      items[0] = pop();
    } else {
      items = since_mark();
    }
    ValuePtr dict = top();
    if (dict->kind != Value::Dict || items.size() % 2 != 0)
      throw Error(source_ + ": malformed pickle (SETITEMS without a dict)");
    for (size_t i = 0; i < items.size(); i += 2) dict->pairs.emplace_back(items[i], items[i + 1]);
  }
  void append(int n) {
    std::vector<ValuePtr> items = n == 1 ? std::vector<ValuePtr>{pop()} : since_mark();
    ValuePtr list = top();
    if (list->kind != Value::List) throw Error(source_ + ": malformed pickle (APPEND)");
    list->items.insert(list->items.end(), items.begin(), items.end());
  }
  void push_int(int64_t v) {
    auto i = make(Value::Int);
    i->integer = v;
    stack_.push_back(i);
  }
  void push_long(uint64_t n) {
    if (n > 8) throw Error(source_ + ": integer too large");
    const std::string bytes = take(n);
    uint64_t v = 0;
    for (int i = static_cast<int>(n) - 1; i >= 0; --i)
      v = (v << 8) | static_cast<unsigned char>(bytes[i]);
    if (n > 0 && n < 8 && (static_cast<unsigned char>(bytes[n - 1]) & 0x80))
      v |= ~uint64_t{0} << (8 * n);  // sign-extend
    push_int(static_cast<int64_t>(v));
  }
  void push_text(std::string s) {
    auto t = make(Value::Text);
    t->text = std::move(s);
    stack_.push_back(t);
  }
  void push_memo(uint64_t key) {
    auto it = memo_.find(key);
    if (it == memo_.end()) throw Error(source_ + ": malformed pickle (unknown memo entry)");
    stack_.push_back(it->second);
  }
  void push_global(const std::string& name) {
    static const char* allowed[] = {"collections.OrderedDict", "torch._utils._rebuild_tensor_v2",
                                    "torch._utils._rebuild_parameter",
                                    "torch.jit._pickle.restore_type_tag"};
    bool ok = storage_types().count(name) > 0;
    for (const char* a : allowed) ok = ok || name == a;
    if (!ok)
      throw Error(source_ + ": unsupported global '" + name + "' (not a state dict of tensors)");
    auto g = make(Value::Global);
    g->text = name;
    stack_.push_back(g);
  }
  // ('storage', torch.<Type>Storage, key, location, numel) → the record as a 1-D tensor.
  ValuePtr persistent(const ValuePtr& id) {
    if (id->kind != Value::Tuple || id->items.size() < 5 || id->items[1]->kind != Value::Global)
      throw Error(source_ + ": unsupported persistent id");
    const auto type = storage_types().find(id->items[1]->text);
    if (type == storage_types().end())
      throw Error(source_ + ": unsupported storage type '" + id->items[1]->text + "'");
    const torch::ScalarType dtype = type->second;
    const std::string key = id->items[2]->text;
    const int64_t numel = id->items[4]->integer;
    auto it = records_.find(prefix_ + "data/" + key);
    if (it == records_.end()) throw Error(source_ + ": tensor data record '" + key + "' missing");
    // Compared by division: numel comes from the file and may be anything.
    const auto element = static_cast<int64_t>(c10::elementSize(dtype));
    const auto record = static_cast<int64_t>(it->second.size());
    if (numel < 0 || record % element != 0 || record / element != numel)
      throw Error(source_ + ": tensor data record '" + key + "' has the wrong size");
    auto s = make(Value::Storage);
    s->tensor = torch::empty({numel}, torch::TensorOptions().dtype(dtype));
    if (record > 0)  // an empty storage has no data pointer to copy to
      std::memcpy(s->tensor.data_ptr(), it->second.data(), it->second.size());
    return s;
  }
  ValuePtr reduce(const ValuePtr& callable, const ValuePtr& args) {
    if (callable->kind != Value::Global || args->kind != Value::Tuple)
      throw Error(source_ + ": malformed pickle (REDUCE)");
    const auto& a = args->items;
    if (callable->text == "collections.OrderedDict") return make(Value::Dict);
    // LibTorch's pickle_save tags a typed dict with its TorchScript type: (dict, "Dict[…]").
    if (callable->text == "torch.jit._pickle.restore_type_tag") {
      if (a.empty()) throw Error(source_ + ": malformed type tag");
      return a[0];
    }
    if (callable->text == "torch._utils._rebuild_parameter") {
      if (a.empty() || a[0]->kind != Value::Tensor) throw Error(source_ + ": malformed parameter");
      return a[0];
    }
    // _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks, ...)
    if (a.size() < 4 || a[0]->kind != Value::Storage || a[1]->kind != Value::Int)
      throw Error(source_ + ": malformed tensor");
    const auto size = integers(a[2], source_), stride = integers(a[3], source_);
    int64_t last = a[1]->integer;
    for (size_t d = 0; d < size.size(); ++d) {
      if (size[d] == 0) last = -1;
      if (last >= 0) last += (size[d] - 1) * stride[d];
    }
    if (size.size() != stride.size() || a[1]->integer < 0 || last >= a[0]->tensor.numel())
      throw Error(source_ + ": tensor outside its storage");
    auto t = make(Value::Tensor);
    t->tensor = a[0]->tensor.as_strided(size, stride, a[1]->integer).clone();
    return t;
  }

  const std::string& p_;
  const std::map<std::string, std::string>& records_;
  std::string prefix_, source_;
  size_t at_ = 0;
  std::vector<ValuePtr> stack_;
  std::map<uint64_t, ValuePtr> memo_;
};

}  // namespace

NamedTensors read_torch_save(const std::string& bytes, const std::string& source) {
  const auto records = read_zip(bytes, source);
  std::string pickle_name;
  for (const auto& [name, data] : records) {
    const auto slash = name.find('/');
    if (slash != std::string::npos && name.substr(slash + 1) == "data.pkl") pickle_name = name;
  }
  if (pickle_name.empty()) throw Error(source + ": no data.pkl in the archive");
  const std::string prefix = pickle_name.substr(0, pickle_name.size() - 8);
  const ValuePtr root = Unpickler(records.at(pickle_name), records, prefix, source).run();
  if (root->kind != Value::Dict) throw Error(source + ": does not hold a dict of tensors");
  NamedTensors out;
  for (const auto& [key, value] : root->pairs) {
    if (key->kind != Value::Text) throw Error(source + ": a key is not a tensor name");
    if (value->kind != Value::Tensor)
      throw Error(source + ": entry '" + key->text + "' is not a tensor");
    out.emplace_back(key->text, value->tensor);
  }
  return out;
}

}  // namespace lrpseg
