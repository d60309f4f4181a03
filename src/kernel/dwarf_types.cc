// DwarfTypes on libdwarf (the 20210528 API). The search strategy is in the
// header's file comment; this file keeps libdwarf's types to itself.
#include "ramsift/kernel/dwarf_types.h"

#include <dwarf.h>
#include <libdwarf.h>

#include <algorithm>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "vmlinux_elf_impl.h"

// Exported by libdwarf 20210528 but missing from its header.
extern "C" int dwarf_set_reloc_application(int apply);

namespace ramsift {
namespace {

// Deeper typedef/qualifier/pointer chains than this are taken for a cycle in
// corrupt DWARF. The kernel's deepest are a handful.
constexpr int kMaxTypeDepth = 64;

// A libdwarf error as ours; frees it.
Error dwarf_error(Dwarf_Debug dbg, Dwarf_Error err, const std::string& what) {
  std::string message = err ? dwarf_errmsg(err) : "unknown libdwarf error";
  if (err) dwarf_dealloc_error(dbg, err);
  return corrupt(what + ": libdwarf: " + message);
}

class Die {
 public:
  Die() = default;
  explicit Die(Dwarf_Die die) : die_(die) {}
  Die(Die&& other) noexcept : die_(std::exchange(other.die_, nullptr)) {}
  Die& operator=(Die&& other) noexcept {
    if (this != &other) {
      reset();
      die_ = std::exchange(other.die_, nullptr);
    }
    return *this;
  }
  Die(const Die&) = delete;
  Die& operator=(const Die&) = delete;
  ~Die() { reset(); }
  Dwarf_Die get() const { return die_; }

 private:
  void reset() {
    if (die_) dwarf_dealloc_die(die_);
    die_ = nullptr;
  }
  Dwarf_Die die_ = nullptr;
};

class Attr {
 public:
  explicit Attr(Dwarf_Attribute attr) : attr_(attr) {}
  Attr(Attr&& other) noexcept : attr_(std::exchange(other.attr_, nullptr)) {}
  Attr& operator=(Attr&&) = delete;
  Attr(const Attr&) = delete;
  Attr& operator=(const Attr&) = delete;
  ~Attr() {
    if (attr_) dwarf_dealloc_attribute(attr_);
  }
  Dwarf_Attribute get() const { return attr_; }

 private:
  Dwarf_Attribute attr_;
};

std::string die_hex(Dwarf_Off off) {
  return "DIE " + hex(off);
}

bool matches_hint(std::string_view cu_name, std::string_view hint) {
  while (!hint.empty()) {
    size_t comma = hint.find(',');
    std::string_view one = hint.substr(0, comma);
    hint = comma == std::string_view::npos ? std::string_view() : hint.substr(comma + 1);
    if (one.empty() || one.size() > cu_name.size()) continue;
    if (cu_name.substr(cu_name.size() - one.size()) != one) continue;
    if (one.size() == cu_name.size() || cu_name[cu_name.size() - one.size() - 1] == '/') return true;
  }
  return false;
}

// C base type names in one spelling: GCC says "long unsigned int", clang
// "unsigned long". Words sorted, "int" dropped where another word implies
// it, "signed" dropped where it is the default (not for char).
std::string canonical_base_name(std::string_view spelled) {
  std::vector<std::string_view> words;
  for (size_t pos = 0; pos < spelled.size();) {
    size_t end = spelled.find(' ', pos);
    if (end == std::string_view::npos) end = spelled.size();
    if (end > pos) words.push_back(spelled.substr(pos, end - pos));
    pos = end + 1;
  }
  auto has = [&](std::string_view w) { return std::find(words.begin(), words.end(), w) != words.end(); };
  auto drop = [&](std::string_view w) { words.erase(std::remove(words.begin(), words.end(), w), words.end()); };
  bool integer = has("int") || has("long") || has("short") || has("unsigned") || has("signed");
  if (!integer || has("char") || has("_Bool") || has("double") || has("float") || has("__int128"))
    return std::string(spelled);
  if (has("signed")) drop("signed");
  drop("int");
  if (words.empty() || (words.size() == 1 && words[0] == "unsigned")) words.push_back("int");
  std::sort(words.begin(), words.end());
  std::string out;
  for (std::string_view w : words) out += (out.empty() ? "" : " ") + std::string(w);
  return out;
}

// Index keys: a tag letter and the name.
constexpr char kStruct = 's', kUnion = 'u', kEnum = 'e', kTypedef = 't', kBase = 'b', kEnumerator = 'n',
               kVariable = 'v', kVariableDecl = 'd', kFunction = 'f';
std::string key(char kind, std::string_view name) {
  return std::string(1, kind) + (kind == 'b' ? canonical_base_name(name) : std::string(name));
}

uint64_t form_width(Dwarf_Half form) {
  switch (form) {
    case DW_FORM_data1: return 1;
    case DW_FORM_data2: return 2;
    case DW_FORM_data4: return 4;
    default: return 8;
  }
}

Result<uint64_t> read_uleb(const ByteReader& r, uint64_t* pos) {
  uint64_t value = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    RAMSIFT_TRY(uint8_t b, r.u8((*pos)++));
    value |= uint64_t{b & 0x7fu} << shift;
    if (!(b & 0x80)) return value;
  }
  return corrupt("ULEB128 longer than 64 bits");
}

}  // namespace

struct DwarfTypes::Impl {
  struct CompileUnit {
    Dwarf_Off header = 0;  // the unit header's .debug_info offset
    Dwarf_Off end = 0;     // the next unit's header offset
    Dwarf_Off die = 0;
    std::string name;
    bool indexed = false;
    bool used = false;  // a result came from it (symbols_subset.h)
  };
  using Accept = std::function<Result<bool>(Dwarf_Off)>;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    if (dbg) {
      Dwarf_Error err = nullptr;
      if (dwarf_finish(dbg, &err) == DW_DLV_ERROR && err) dwarf_dealloc_error(nullptr, err);
    }
  }

  std::shared_ptr<const VmlinuxElf> elf;
  Dwarf_Debug dbg = nullptr;
  uint32_t pointer_size = 8;
  std::mutex mutex;

  bool listed = false;
  std::optional<Error> list_problem;                   // the CU list stopped early
  std::vector<CompileUnit> cus;                        // in .debug_info order (by DIE offset)
  size_t frontier = 0;                                 // CUs before this one are all indexed
  std::unordered_map<std::string, Dwarf_Off> index;    // first definitions in indexed CUs
  std::unordered_map<std::string, Dwarf_Off> answers;  // find_any() results, by key and hint

  std::unordered_map<Dwarf_Off, TypeRef> refs;
  std::unordered_map<Dwarf_Off, std::shared_ptr<const TypeLayout>> layouts;
  std::unordered_map<Dwarf_Off, std::shared_ptr<const EnumType>> enums;
  std::unordered_map<std::string, Variable> variables;
  Stats stats;

  // ---- libdwarf access, each failure a Corrupt error naming the DIE ----

  Result<Die> offdie(Dwarf_Off off) {
    Dwarf_Die raw = nullptr;
    Dwarf_Error err = nullptr;
    int rc = dwarf_offdie_b(dbg, off, true, &raw, &err);
    if (rc == DW_DLV_ERROR) return dwarf_error(dbg, err, "reading " + die_hex(off));
    if (rc != DW_DLV_OK) return corrupt("no " + die_hex(off));
    return Die(raw);
  }
  Result<std::optional<Die>> child(const Die& die) {
    Dwarf_Die raw = nullptr;
    Dwarf_Error err = nullptr;
    int rc = dwarf_child(die.get(), &raw, &err);
    if (rc == DW_DLV_ERROR) return dwarf_error(dbg, err, "reading the children of " + die_hex(offset(die)));
    if (rc != DW_DLV_OK) return std::optional<Die>();
    return std::optional<Die>(Die(raw));
  }
  Result<std::optional<Die>> sibling(const Die& die) {
    Dwarf_Die raw = nullptr;
    Dwarf_Error err = nullptr;
    int rc = dwarf_siblingof_b(dbg, die.get(), true, &raw, &err);
    if (rc == DW_DLV_ERROR) return dwarf_error(dbg, err, "reading the sibling of " + die_hex(offset(die)));
    if (rc != DW_DLV_OK) return std::optional<Die>();
    return std::optional<Die>(Die(raw));
  }
  Dwarf_Off offset(const Die& die) {
    Dwarf_Off off = 0;
    Dwarf_Error err = nullptr;
    if (dwarf_dieoffset(die.get(), &off, &err) == DW_DLV_ERROR) dwarf_dealloc_error(dbg, err);
    return off;
  }
  Result<Dwarf_Half> tag(const Die& die) {
    Dwarf_Half t = 0;
    Dwarf_Error err = nullptr;
    if (dwarf_tag(die.get(), &t, &err) != DW_DLV_OK)
      return dwarf_error(dbg, err, "reading the tag of " + die_hex(offset(die)));
    return t;
  }
  Result<std::optional<std::string_view>> name(const Die& die) {
    char* raw = nullptr;
    Dwarf_Error err = nullptr;
    int rc = dwarf_diename(die.get(), &raw, &err);
    if (rc == DW_DLV_ERROR) return dwarf_error(dbg, err, "reading the name of " + die_hex(offset(die)));
    if (rc != DW_DLV_OK || !raw) return std::optional<std::string_view>();
    return std::optional<std::string_view>(raw);  // in .debug_str/.debug_info: lives until dwarf_finish
  }
  Result<std::optional<Attr>> attr(const Die& die, Dwarf_Half at) {
    Dwarf_Attribute raw = nullptr;
    Dwarf_Error err = nullptr;
    int rc = dwarf_attr(die.get(), at, &raw, &err);
    if (rc == DW_DLV_ERROR)
      return dwarf_error(dbg, err, "reading attribute " + hex(at) + " of " + die_hex(offset(die)));
    if (rc != DW_DLV_OK) return std::optional<Attr>();
    return std::optional<Attr>(std::in_place, raw);
  }
  Result<bool> has(const Die& die, Dwarf_Half at) {
    Dwarf_Bool present = false;
    Dwarf_Error err = nullptr;
    if (dwarf_hasattr(die.get(), at, &present, &err) == DW_DLV_ERROR)
      return dwarf_error(dbg, err, "reading attribute " + hex(at) + " of " + die_hex(offset(die)));
    return present != 0;
  }
  Result<Dwarf_Half> form(const Attr& a, const Die& die) {
    Dwarf_Half f = 0;
    Dwarf_Error err = nullptr;
    if (dwarf_whatform(a.get(), &f, &err) != DW_DLV_OK)
      return dwarf_error(dbg, err, "attribute form in " + die_hex(offset(die)));
    return f;
  }
  // A constant attribute; nullopt when absent or not a constant (a
  // reference or expression, as for a variable-length array bound).
  // `is_signed` decides how the width-only forms DW_FORM_data1..8 extend.
  Result<std::optional<int64_t>> constant(const Die& die, Dwarf_Half at, bool is_signed = false) {
    RAMSIFT_TRY(auto a, attr(die, at));
    if (!a) return std::optional<int64_t>();
    RAMSIFT_TRY(Dwarf_Half f, form(*a, die));
    Dwarf_Error err = nullptr;
    switch (f) {
      case DW_FORM_sdata:
      case DW_FORM_implicit_const: {
        Dwarf_Signed v = 0;
        if (dwarf_formsdata(a->get(), &v, &err) != DW_DLV_OK)
          return dwarf_error(dbg, err, "constant in " + die_hex(offset(die)));
        return std::optional<int64_t>(v);
      }
      case DW_FORM_udata:
      case DW_FORM_data1:
      case DW_FORM_data2:
      case DW_FORM_data4:
      case DW_FORM_data8: {
        Dwarf_Unsigned v = 0;
        if (dwarf_formudata(a->get(), &v, &err) != DW_DLV_OK)
          return dwarf_error(dbg, err, "constant in " + die_hex(offset(die)));
        uint64_t width = form_width(f);
        if (is_signed && f != DW_FORM_udata && width < 8 && (v >> (width * 8 - 1)) & 1)
          v |= ~uint64_t{0} << (width * 8);
        return std::optional<int64_t>(static_cast<int64_t>(v));
      }
      default: return std::optional<int64_t>();
    }
  }
  Result<std::optional<Dwarf_Off>> ref(const Die& die, Dwarf_Half at) {
    RAMSIFT_TRY(auto a, attr(die, at));
    if (!a) return std::optional<Dwarf_Off>();
    Dwarf_Off off = 0;
    Dwarf_Error err = nullptr;
    if (dwarf_global_formref(a->get(), &off, &err) != DW_DLV_OK)
      return dwarf_error(dbg, err, "reference in " + die_hex(offset(die)));
    return std::optional<Dwarf_Off>(off);
  }
  // The bytes of an expression attribute (exprloc or DWARF 2/3 block);
  // nullopt for any other form (a location list).
  template <class Fn>
  auto with_expression(const Attr& a, const Die& die, Fn fn) -> decltype(fn(ByteReader())) {
    RAMSIFT_TRY(Dwarf_Half f, form(a, die));
    Dwarf_Error err = nullptr;
    if (f == DW_FORM_exprloc) {
      Dwarf_Unsigned len = 0;
      Dwarf_Ptr ptr = nullptr;
      if (dwarf_formexprloc(a.get(), &len, &ptr, &err) != DW_DLV_OK)
        return dwarf_error(dbg, err, "expression in " + die_hex(offset(die)));
      return fn(ByteReader(std::span(static_cast<const std::byte*>(ptr), len), "DWARF expression"));
    }
    if (f == DW_FORM_block1 || f == DW_FORM_block2 || f == DW_FORM_block4 || f == DW_FORM_block) {
      Dwarf_Block* block = nullptr;
      if (dwarf_formblock(a.get(), &block, &err) != DW_DLV_OK)
        return dwarf_error(dbg, err, "expression in " + die_hex(offset(die)));
      auto result =
          fn(ByteReader(std::span(static_cast<const std::byte*>(block->bl_data), block->bl_len), "DWARF expression"));
      dwarf_dealloc(dbg, block, DW_DLA_BLOCK);
      return result;
    }
    return fn(ByteReader());
  }

  // DW_AT_data_member_location: a constant, or DW_OP_plus_uconst in DWARF 2.
  Result<uint64_t> member_location(const Die& die) {
    RAMSIFT_TRY(auto a, attr(die, DW_AT_data_member_location));
    if (!a) return uint64_t{0};  // union members, or the first member
    RAMSIFT_TRY(Dwarf_Half f, form(*a, die));
    if (f != DW_FORM_exprloc && f != DW_FORM_block1 && f != DW_FORM_block2 && f != DW_FORM_block4 &&
        f != DW_FORM_block) {
      RAMSIFT_TRY(auto v, constant(die, DW_AT_data_member_location));
      if (!v || *v < 0) return corrupt("member location of " + die_hex(offset(die)) + " is not a constant");
      return static_cast<uint64_t>(*v);
    }
    return with_expression(*a, die, [&](const ByteReader& expr) -> Result<uint64_t> {
      uint64_t pos = 0;
      RAMSIFT_TRY(uint8_t op, expr.u8(pos++));
      if (op != DW_OP_plus_uconst && op != DW_OP_constu)
        return not_implemented("member location expression with DW_OP " + hex(op) + " in " + die_hex(offset(die)));
      return read_uleb(expr, &pos);
    });
  }

  // DW_AT_location as one address: DW_OP_addr, or DW_OP_addrx into .debug_addr.
  Result<std::optional<uint64_t>> location_address(const Die& die) {
    RAMSIFT_TRY(auto a, attr(die, DW_AT_location));
    if (!a) return std::optional<uint64_t>();
    return with_expression(*a, die, [&](const ByteReader& expr) -> Result<std::optional<uint64_t>> {
      if (expr.size() == 0) return std::optional<uint64_t>();
      uint64_t pos = 0;
      RAMSIFT_TRY(uint8_t op, expr.u8(pos++));
      if (op == DW_OP_addr) {
        if (pointer_size == 4) {
          RAMSIFT_TRY(uint32_t v, expr.u32(pos));
          return std::optional<uint64_t>(v);
        }
        RAMSIFT_TRY(uint64_t v, expr.u64(pos));
        return std::optional<uint64_t>(v);
      }
      if (op == DW_OP_addrx || op == DW_OP_GNU_addr_index) {
        RAMSIFT_TRY(uint64_t slot, read_uleb(expr, &pos));
        Dwarf_Addr addr = 0;
        Dwarf_Error err = nullptr;
        if (dwarf_debug_addr_index_to_addr(die.get(), slot, &addr, &err) != DW_DLV_OK)
          return dwarf_error(dbg, err, ".debug_addr entry for " + die_hex(offset(die)));
        return std::optional<uint64_t>(addr);
      }
      return std::optional<uint64_t>();  // not a static address (TLS, register, ...)
    });
  }

  // ---- the compile-unit list and the lazy index ----

  Status list_compile_units() {
    if (listed) return {};
    listed = true;
    Dwarf_Off header = 0;
    for (;;) {
      Dwarf_Unsigned header_length = 0, type_offset = 0, next = 0;
      Dwarf_Half version = 0, address_size = 0, length_size = 0, extension_size = 0, unit_type = 0;
      Dwarf_Off abbrev = 0;
      Dwarf_Sig8 signature;
      Dwarf_Error err = nullptr;
      int rc = dwarf_next_cu_header_d(dbg, true, &header_length, &version, &abbrev, &address_size, &length_size,
                                      &extension_size, &signature, &type_offset, &next, &unit_type, &err);
      if (rc == DW_DLV_NO_ENTRY) break;
      if (rc == DW_DLV_ERROR) {
        list_problem = dwarf_error(dbg, err, "reading the header of compile unit " + std::to_string(cus.size()));
        break;
      }
      Dwarf_Die raw = nullptr;
      rc = dwarf_siblingof_b(dbg, nullptr, true, &raw, &err);
      if (rc == DW_DLV_ERROR) {
        list_problem = dwarf_error(dbg, err, "reading compile unit " + std::to_string(cus.size()));
        break;
      }
      Dwarf_Off start = header;
      header = next;
      if (rc != DW_DLV_OK) continue;
      Die cu(raw);
      CompileUnit unit;
      unit.header = start;
      unit.end = next;
      unit.die = offset(cu);
      RAMSIFT_TRY(auto n, name(cu));
      if (n) unit.name = std::string(*n);
      cus.push_back(std::move(unit));
    }
    stats.compile_units = cus.size();
    return {};
  }

  // The index key of a top-level DIE, "" for DIEs we do not look up. An
  // enumeration's enumerators are handed to `on_enumerator`.
  Result<std::string> key_of(const Die& die, Dwarf_Half t, const std::function<void(std::string_view)>& on_enumerator) {
    char kind = 0;
    switch (t) {
      case DW_TAG_structure_type: kind = kStruct; break;
      case DW_TAG_union_type: kind = kUnion; break;
      case DW_TAG_enumeration_type: kind = kEnum; break;
      case DW_TAG_typedef: kind = kTypedef; break;
      case DW_TAG_base_type: kind = kBase; break;
      case DW_TAG_variable: kind = kVariable; break;
      case DW_TAG_subprogram: kind = kFunction; break;
      default: return std::string();
    }
    RAMSIFT_TRY(auto n, name(die));
    if (kind == kVariable) {
      // A definition after an extern declaration in the same file names
      // the declaration instead of itself.
      std::optional<std::string_view> declared = n;
      if (!declared) {
        RAMSIFT_TRY(auto spec, ref(die, DW_AT_specification));
        if (!spec) return std::string();
        RAMSIFT_TRY(Die decl, offdie(*spec));
        RAMSIFT_TRY(declared, name(decl));
        if (!declared) return std::string();
      }
      RAMSIFT_TRY(bool located, has(die, DW_AT_location));
      return key(located ? kVariable : kVariableDecl, *declared);
    }
    RAMSIFT_TRY(bool declaration, has(die, DW_AT_declaration));
    if (declaration) return std::string();
    if (kind == kEnum) {
      RAMSIFT_TRY(auto first, child(die));
      for (std::optional<Die> e = std::move(first); e;) {
        ++stats.dies_visited;
        RAMSIFT_TRY(Dwarf_Half et, tag(*e));
        if (et == DW_TAG_enumerator) {
          RAMSIFT_TRY(auto en, name(*e));
          if (en) on_enumerator(*en);
        }
        RAMSIFT_TRY(e, sibling(*e));
      }
    }
    if (!n) return std::string();
    return key(kind, *n);
  }

  // Walks the top level of compile unit `i`, indexing it if it is not yet,
  // and returns the first DIE whose key is `want` and that `accept` takes.
  Result<std::optional<Dwarf_Off>> walk(size_t i, const std::string& want, const Accept& accept) {
    CompileUnit& unit = cus[i];
    bool indexing = !unit.indexed;
    if (!indexing && want.empty()) return std::optional<Dwarf_Off>();
    std::optional<Dwarf_Off> found;
    RAMSIFT_TRY(Die cu, offdie(unit.die));
    RAMSIFT_TRY(auto first, child(cu));
    for (std::optional<Die> die = std::move(first); die;) {
      ++stats.dies_visited;
      Dwarf_Off off = offset(*die);
      RAMSIFT_TRY(Dwarf_Half t, tag(*die));
      bool want_enumerator = !found && !want.empty() && want[0] == kEnumerator;
      RAMSIFT_TRY(std::string k, key_of(*die, t, [&](std::string_view enumerator) {
                    if (indexing) index.emplace(key(kEnumerator, enumerator), off);
                    if (want_enumerator && !found && want.compare(1, std::string::npos, enumerator) == 0) found = off;
                  }));
      if (!k.empty()) {
        if (indexing) index.emplace(k, off);
        if (!found && k == want) {
          RAMSIFT_TRY(bool ok, accept(off));
          if (ok) found = off;
        }
      }
      if (found && !indexing) break;
      RAMSIFT_TRY(die, sibling(*die));
    }
    if (indexing) {
      unit.indexed = true;
      ++stats.compile_units_indexed;
    }
    return found;
  }

  // The lookup order of the file comment.
  Result<Dwarf_Off> find(const std::string& want, std::string_view hint, const std::vector<std::string>& files,
                         const Accept& accept, const std::string& what, bool hinted_only = false) {
    RAMSIFT_TRY_STATUS(list_compile_units());
    // 1. The caller's hint, 2. the files the symbol table points at.
    if (!hint.empty()) {
      bool hinted = false;
      for (size_t i = 0; i < cus.size(); ++i) {
        if (!matches_hint(cus[i].name, hint)) continue;
        hinted = true;
        RAMSIFT_TRY(auto hit, walk(i, want, accept));
        if (hit) return *hit;
      }
      if (hinted && hinted_only)
        return not_found("no definition of " + what + " in the DWARF of " + std::string(hint) +
                         " (where the kernel defines or uses it when it has it)");
    }
    for (const std::string& file : files) {
      for (size_t i = 0; i < cus.size(); ++i) {
        if (!matches_hint(cus[i].name, file)) continue;
        RAMSIFT_TRY(auto hit, walk(i, want, accept));
        if (hit) return *hit;
      }
    }
    // 3. The index of the units searched so far, 4. the rest in order.
    bool rejected = false;
    if (auto it = index.find(want); it != index.end()) {
      RAMSIFT_TRY(bool ok, accept(it->second));
      if (ok) return it->second;
      rejected = true;
    }
    for (; frontier < cus.size(); ++frontier) {
      if (cus[frontier].indexed) continue;
      RAMSIFT_TRY(auto hit, walk(frontier, want, accept));
      if (hit) return *hit;
    }
    // The first definition was not the one wanted (a static of the same
    // name elsewhere): search every unit for another.
    if (rejected) {
      for (size_t i = 0; i < cus.size(); ++i) {
        RAMSIFT_TRY(auto hit, walk(i, want, accept));
        if (hit) return *hit;
      }
    }
    Error e =
        not_found("no definition of " + what + " in the DWARF (" + std::to_string(cus.size()) + " compile units)");
    if (list_problem) e = std::move(e).with_context(list_problem->message() + "; so");
    return e;
  }

  Result<Dwarf_Off> find_any(char kind, std::string_view n, std::string_view hint, const std::string& what,
                             bool hinted_only = false) {
    // Remembered per hint: a hinted search walks its units before the index.
    std::string remembered = key(kind, n) + '\n' + std::string(hint) + (hinted_only ? "\n1" : "");
    if (auto it = answers.find(remembered); it != answers.end()) return it->second;
    RAMSIFT_TRY(Dwarf_Off off,
                find(
                    key(kind, n), hint, {}, [](Dwarf_Off) -> Result<bool> { return true; }, what, hinted_only));
    answers.emplace(std::move(remembered), off);
    return off;
  }

  // ---- resolving ----

  // Marks the unit holding `die_off` as one a result came from.
  void mark_used(Dwarf_Off die_off) {
    auto it =
        std::upper_bound(cus.begin(), cus.end(), die_off, [](Dwarf_Off o, const CompileUnit& u) { return o < u.die; });
    if (it != cus.begin()) (it - 1)->used = true;
  }

  Result<TypeRef> type_ref(Dwarf_Off off, int depth) {
    if (auto it = refs.find(off); it != refs.end()) return it->second;
    mark_used(off);
    if (depth > kMaxTypeDepth)
      return corrupt("type chain deeper than " + std::to_string(kMaxTypeDepth) + " at " + die_hex(off) + " (a cycle?)");
    RAMSIFT_TRY(Die die, offdie(off));
    RAMSIFT_TRY(Dwarf_Half t, tag(die));
    RAMSIFT_TRY(auto n, name(die));
    RAMSIFT_TRY(auto byte_size, constant(die, DW_AT_byte_size));
    RAMSIFT_TRY(auto target, ref(die, DW_AT_type));
    TypeRef r;
    if (n) r.name = std::string(*n);
    if (byte_size) r.size = static_cast<uint64_t>(*byte_size);
    switch (t) {
      case DW_TAG_base_type: {
        r.kind = TypeKind::Base;
        RAMSIFT_TRY(auto encoding, constant(die, DW_AT_encoding));
        r.is_signed = encoding && (*encoding == DW_ATE_signed || *encoding == DW_ATE_signed_char);
        break;
      }
      case DW_TAG_structure_type:
      case DW_TAG_class_type:
      case DW_TAG_union_type:
      case DW_TAG_enumeration_type: {
        r.kind = t == DW_TAG_union_type         ? TypeKind::Union
                 : t == DW_TAG_enumeration_type ? TypeKind::Enum
                                                : TypeKind::Struct;
        RAMSIFT_TRY(r.declaration, has(die, DW_AT_declaration));
        r.die = off;
        if (t == DW_TAG_enumeration_type && target) {
          RAMSIFT_TRY(TypeRef underlying, type_ref(*target, depth + 1));
          r.is_signed = underlying.is_signed;
        }
        break;
      }
      case DW_TAG_pointer_type:
      case DW_TAG_reference_type:
      case DW_TAG_rvalue_reference_type: {
        r.kind = TypeKind::Pointer;
        r.name.clear();
        if (!byte_size) r.size = pointer_size;
        TypeRef pointee;
        if (target) {
          RAMSIFT_TRY(pointee, type_ref(*target, depth + 1));
        }
        r.target = std::make_shared<const TypeRef>(std::move(pointee));
        break;
      }
      case DW_TAG_typedef:
      case DW_TAG_const_type:
      case DW_TAG_volatile_type:
      case DW_TAG_restrict_type:
      case DW_TAG_atomic_type:
      case DW_TAG_immutable_type:
      case DW_TAG_shared_type: {
        TypeRef inner;
        if (target) {
          RAMSIFT_TRY(inner, type_ref(*target, depth + 1));
        }
        if (t == DW_TAG_typedef) inner.typedef_name = r.name;
        r = std::move(inner);
        break;
      }
      case DW_TAG_array_type: {
        if (!target) return corrupt("array " + die_hex(off) + " has no element type");
        RAMSIFT_TRY(TypeRef element, type_ref(*target, depth + 1));
        RAMSIFT_TRY(auto byte_stride, constant(die, DW_AT_byte_stride));
        // One count per dimension, outermost first.
        std::vector<std::optional<uint64_t>> counts;
        RAMSIFT_TRY(auto first, child(die));
        for (std::optional<Die> sub = std::move(first); sub;) {
          RAMSIFT_TRY(Dwarf_Half st, tag(*sub));
          if (st == DW_TAG_subrange_type || st == DW_TAG_enumeration_type) {
            RAMSIFT_TRY(auto count, constant(*sub, DW_AT_count, true));
            RAMSIFT_TRY(auto upper, constant(*sub, DW_AT_upper_bound, true));
            RAMSIFT_TRY(auto lower, constant(*sub, DW_AT_lower_bound, true));
            std::optional<uint64_t> n_elems;
            if (count)
              n_elems = *count < 0 ? 0 : static_cast<uint64_t>(*count);
            else if (upper)  // GCC writes `x[0]` as upper bound -1
              n_elems = *upper < lower.value_or(0) ? 0 : static_cast<uint64_t>(*upper - lower.value_or(0) + 1);
            counts.push_back(n_elems);
          }
          RAMSIFT_TRY(sub, sibling(*sub));
        }
        if (counts.empty()) counts.push_back(std::nullopt);
        TypeRef current = std::move(element);
        for (size_t k = counts.size(); k-- > 0;) {
          TypeRef array;
          array.kind = TypeKind::Array;
          array.count = counts[k];
          array.stride = (k == 0 && byte_stride) ? static_cast<uint64_t>(*byte_stride) : current.size;
          uint64_t total = 0;
          if (array.count && mul_overflows(*array.count, array.stride, &total))
            return corrupt("array " + die_hex(off) + " is larger than 2^64 bytes");
          array.size = total;
          array.target = std::make_shared<const TypeRef>(std::move(current));
          current = std::move(array);
        }
        if (byte_size) current.size = static_cast<uint64_t>(*byte_size);
        r = std::move(current);
        break;
      }
      case DW_TAG_subroutine_type:
        r = TypeRef{};
        r.kind = TypeKind::Function;
        break;
      case DW_TAG_unspecified_type: r.kind = TypeKind::Void; break;
      default: return corrupt("unexpected DWARF tag " + hex(t) + " at " + die_hex(off) + " where a type was expected");
    }
    refs.emplace(off, r);
    return r;
  }

  // The definition behind a declaration, found by name.
  Result<Dwarf_Off> definition_of(const TypeRef& type) {
    if (!type.declaration) return type.die;
    if (type.name.empty())
      return not_found("an anonymous " + std::string(type_kind_name(type.kind)) + " has no definition");
    char kind = type.kind == TypeKind::Union ? kUnion : type.kind == TypeKind::Enum ? kEnum : kStruct;
    return find_any(kind, type.name, {}, std::string(type_kind_name(type.kind)) + " " + type.name);
  }

  Result<std::shared_ptr<const TypeLayout>> layout_of(Dwarf_Off off, int depth) {
    if (auto it = layouts.find(off); it != layouts.end()) return it->second;
    if (depth > kMaxTypeDepth)
      return corrupt("structs nested deeper than " + std::to_string(kMaxTypeDepth) + " at " + die_hex(off));
    RAMSIFT_TRY(TypeRef self, type_ref(off, 0));
    if (self.kind != TypeKind::Struct && self.kind != TypeKind::Union)
      return bad_input(self.to_string() + " is not a struct or union");
    if (self.declaration) {
      RAMSIFT_TRY(Dwarf_Off def, definition_of(self));
      return layout_of(def, depth + 1);
    }
    auto layout = std::make_shared<TypeLayout>();
    layout->kind = self.kind;
    layout->name = self.name;
    layout->size = self.size;
    RAMSIFT_TRY(Die die, offdie(off));
    RAMSIFT_TRY(auto first, child(die));
    for (std::optional<Die> m = std::move(first); m;) {
      RAMSIFT_TRY(Dwarf_Half t, tag(*m));
      if (t == DW_TAG_member) {
        RAMSIFT_TRY(Member member, member_of(*m, *layout, depth));
        layout->members.push_back(std::move(member));
      }
      RAMSIFT_TRY(m, sibling(*m));
    }
    ++stats.layouts_resolved;
    std::shared_ptr<const TypeLayout> done = std::move(layout);
    layouts.emplace(off, done);
    return done;
  }

  Result<Member> member_of(const Die& die, const TypeLayout& parent, int depth) {
    Member m;
    RAMSIFT_TRY(auto n, name(die));
    if (n) m.name = std::string(*n);
    std::string where = parent.spelled() + " member " + (m.name.empty() ? "<anonymous>" : m.name);
    RAMSIFT_TRY(auto type_off, ref(die, DW_AT_type));
    if (!type_off) return corrupt(where + " has no type (" + die_hex(offset(die)) + ")");
    RAMSIFT_TRY(m.type, type_ref(*type_off, 0));
    RAMSIFT_TRY(uint64_t byte_offset, member_location(die));
    RAMSIFT_TRY(auto bit_size, constant(die, DW_AT_bit_size));
    RAMSIFT_TRY(auto data_bit_offset, constant(die, DW_AT_data_bit_offset));
    RAMSIFT_TRY(auto msb_bit_offset, constant(die, DW_AT_bit_offset, true));
    uint64_t size_bits = 0;
    if (mul_overflows(parent.size, 8, &size_bits)) return corrupt(where + ": struct size overflows");
    if (bit_size) {
      if (*bit_size <= 0 || *bit_size > 64) return corrupt(where + ": bit size " + std::to_string(*bit_size));
      m.bit_size = static_cast<uint32_t>(*bit_size);
    }
    if (data_bit_offset) {
      // DWARF 4+: bits from the start of the struct, LSB-first on little-endian.
      if (*data_bit_offset < 0) return corrupt(where + ": negative DW_AT_data_bit_offset");
      m.bit_offset = static_cast<uint64_t>(*data_bit_offset);
    } else if (msb_bit_offset && bit_size) {
      // DWARF 2-4: bits from the most significant bit of a storage unit of
      // DW_AT_byte_size bytes (else the type's size) at the member location.
      RAMSIFT_TRY(auto storage, constant(die, DW_AT_byte_size));
      int64_t storage_bytes = storage ? *storage : static_cast<int64_t>(m.type.size);
      int64_t lsb = static_cast<int64_t>(byte_offset) * 8 + storage_bytes * 8 - *msb_bit_offset - *bit_size;
      if (storage_bytes <= 0 || lsb < 0) return corrupt(where + ": bitfield before the start of the struct");
      m.bit_offset = static_cast<uint64_t>(lsb);
    } else {
      if (mul_overflows(byte_offset, 8, &m.bit_offset)) return corrupt(where + ": offset overflows");
    }
    m.offset = m.bit_size ? m.bit_offset / 8 : byte_offset;
    uint64_t end_bits = 0;
    if (add_overflows(m.bit_offset, m.bit_size, &end_bits) || end_bits > size_bits)
      return corrupt(where + " at bit " + std::to_string(m.bit_offset) + " lies beyond the struct's " +
                     std::to_string(parent.size) + " bytes");
    if ((m.type.kind == TypeKind::Struct || m.type.kind == TypeKind::Union) && m.type.die) {
      RAMSIFT_TRY(Dwarf_Off def, definition_of(m.type));
      RAMSIFT_TRY(m.layout, layout_of(def, depth + 1));
    }
    return m;
  }

  Result<std::shared_ptr<const EnumType>> enum_of(Dwarf_Off off) {
    if (auto it = enums.find(off); it != enums.end()) return it->second;
    RAMSIFT_TRY(TypeRef self, type_ref(off, 0));
    if (self.kind != TypeKind::Enum) return bad_input(self.to_string() + " is not an enum");
    if (self.declaration) {
      RAMSIFT_TRY(Dwarf_Off def, definition_of(self));
      return enum_of(def);
    }
    auto e = std::make_shared<EnumType>();
    e->name = self.name;
    e->size = self.size;
    e->is_signed = self.is_signed;
    RAMSIFT_TRY(Die die, offdie(off));
    RAMSIFT_TRY(auto first, child(die));
    for (std::optional<Die> c = std::move(first); c;) {
      RAMSIFT_TRY(Dwarf_Half t, tag(*c));
      if (t == DW_TAG_enumerator) {
        RAMSIFT_TRY(auto n, name(*c));
        // GCC and clang write negative values as DW_FORM_sdata and others
        // as DW_FORM_dataN, zero-extended: GCC writes 200 of a signed enum
        // as data1 0xc8. So dataN is read unsigned whatever the enum's type.
        RAMSIFT_TRY(auto v, constant(*c, DW_AT_const_value));
        if (!n || !v)
          return corrupt(self.to_string() + ": enumerator without a name or value at " + die_hex(offset(*c)));
        e->values.push_back({std::string(*n), *v});
      }
      RAMSIFT_TRY(c, sibling(*c));
    }
    std::shared_ptr<const EnumType> done = std::move(e);
    enums.emplace(off, done);
    return done;
  }

  Result<TypeRef> find_type(std::string_view spelled, std::string_view hint) {
    auto strip = [&](std::string_view prefix) {
      if (spelled.substr(0, prefix.size()) != prefix) return false;
      spelled.remove_prefix(prefix.size());
      return true;
    };
    std::string whole(spelled);
    char kind = 0;
    if (strip("struct "))
      kind = kStruct;
    else if (strip("union "))
      kind = kUnion;
    else if (strip("enum "))
      kind = kEnum;
    if (kind) {
      RAMSIFT_TRY(Dwarf_Off off, find_any(kind, spelled, hint, whole));
      return type_ref(off, 0);
    }
    auto typedef_off = find_any(kTypedef, spelled, hint, "typedef " + whole);
    if (typedef_off) return type_ref(*typedef_off, 0);
    if (typedef_off.error().code() != ErrorCode::NotFound) return std::move(typedef_off).error();
    auto base_off = find_any(kBase, spelled, hint, "type " + whole);
    if (!base_off) {
      if (base_off.error().code() != ErrorCode::NotFound) return std::move(base_off).error();
      return not_found("no definition of type " + whole + " (a typedef or base type) in the DWARF (" +
                       std::to_string(cus.size()) + " compile units)");
    }
    return type_ref(*base_off, 0);
  }

  std::string compile_unit_of(Dwarf_Off die_off) {
    auto it =
        std::upper_bound(cus.begin(), cus.end(), die_off, [](Dwarf_Off o, const CompileUnit& u) { return o < u.die; });
    return it == cus.begin() ? std::string() : (it - 1)->name;
  }

  Result<Variable> variable(std::string_view n, std::string_view hint) {
    std::string name_str(n);
    // Keyed by the hint too: it may pick another static of the same name.
    std::string cache_key = name_str + '\n' + std::string(hint);
    if (auto it = variables.find(cache_key); it != variables.end()) return it->second;
    std::unordered_set<uint64_t> addresses;
    std::vector<std::string> files;
    std::optional<ElfSymbol> preferred = elf->symbol(n);
    for (const ElfSymbol& s : elf->symbols_named(n)) {
      if (s.kind == ElfSymbol::Kind::Function) continue;
      addresses.insert(s.address);
      if (!s.file.empty())
        files.push_back(s.file);
      else
        for (std::string& f : elf->files_near(s.address)) files.push_back(std::move(f));
    }
    // A vmlinux keeps a symbol for every variable with storage, static ones
    // included: no symbol, no variable, without reading every compile unit
    // (a kernel built without CONFIG_PAGE_OWNER, asked for page_owner_inited).
    if (addresses.empty() && elf->symbol_count() > 0)
      return not_found("no definition of variable " + name_str + ": the vmlinux has no such symbol");
    Accept at_symbol = [&](Dwarf_Off off) -> Result<bool> {
      if (addresses.empty()) return true;
      RAMSIFT_TRY(Die die, offdie(off));
      RAMSIFT_TRY(auto a, location_address(die));
      return a && addresses.count(*a) > 0;
    };
    Variable v;
    v.name = name_str;
    auto def = find(key(kVariable, n), hint, files, at_symbol, "variable " + name_str);
    Dwarf_Off typed = 0;
    if (def) {
      mark_used(*def);
      RAMSIFT_TRY(Die die, offdie(*def));
      RAMSIFT_TRY(auto a, location_address(die));
      if (!a) return corrupt("variable " + name_str + " has no address at " + die_hex(*def));
      v.address = VirtAddr{*a};
      v.compile_unit = compile_unit_of(*def);
      RAMSIFT_TRY(auto t, ref(die, DW_AT_type));
      if (!t) {
        RAMSIFT_TRY(auto spec, ref(die, DW_AT_specification));
        if (spec) {
          RAMSIFT_TRY(Die decl, offdie(*spec));
          RAMSIFT_TRY(t, ref(decl, DW_AT_type));
        }
      }
      if (!t) return corrupt("variable " + name_str + " has no type at " + die_hex(*def));
      typed = *t;
    } else {
      if (def.error().code() != ErrorCode::NotFound || addresses.empty()) return std::move(def).error();
      // No DWARF definition (not emitted, or a linker symbol): a declaration
      // gives the type and the symbol table the address.
      RAMSIFT_TRY(Dwarf_Off decl_off, find_any(kVariableDecl, n, hint, "variable " + name_str));
      mark_used(decl_off);
      RAMSIFT_TRY(Die decl, offdie(decl_off));
      RAMSIFT_TRY(auto t, ref(decl, DW_AT_type));
      if (!t) return corrupt("variable " + name_str + " has no type at " + die_hex(decl_off));
      typed = *t;
      v.address = VirtAddr{preferred ? preferred->address : *addresses.begin()};
    }
    RAMSIFT_TRY(v.type, type_ref(typed, 0));
    variables.emplace(cache_key, v);
    return v;
  }
};

DwarfTypes::DwarfTypes(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DwarfTypes::DwarfTypes(DwarfTypes&&) noexcept = default;
DwarfTypes& DwarfTypes::operator=(DwarfTypes&&) noexcept = default;
DwarfTypes::~DwarfTypes() = default;

Result<DwarfTypes> DwarfTypes::open(const std::string& path) {
  RAMSIFT_TRY(VmlinuxElf elf, VmlinuxElf::open(path));
  return open(std::make_shared<const VmlinuxElf>(std::move(elf)));
}

Result<DwarfTypes> DwarfTypes::open(std::shared_ptr<const VmlinuxElf> elf) {
  const std::string& path = elf->path();
  if (!elf->has_section(".debug_info") && !elf->has_section(".zdebug_info"))
    return not_found(
               "no DWARF (.debug_info): a stripped vmlinux? Use the one with debug info (the -dbg or -debuginfo "
               "package)")
        .in_file(path);
  if (!elf->little_endian())
    return not_implemented("big-endian ELF: bitfield offsets are converted for little-endian only").in_file(path);
  auto impl = std::make_unique<Impl>();
  impl->pointer_size = elf->is_64bit() ? 8 : 4;
  // libdwarf applies .rela.debug_* relocations whenever it finds them. A
  // vmlinux linked with --emit-relocs (x86_64 with CONFIG_RELOCATABLE) keeps
  // them although the linker already applied them, and libdwarf 20210528
  // fails on their types (DW_DLE_RELOC_SECTION_RELOC_TARGET_SIZE_UNKNOWN).
  // Only relocatable objects (.ko) need them. The switch is process-wide in
  // libdwarf, so it is set on every open, under this lock.
  static std::mutex reloc_switch;
  std::lock_guard lock(reloc_switch);
  GElf_Ehdr ehdr;
  bool relocatable = gelf_getehdr(elf->impl().elf, &ehdr) != nullptr && ehdr.e_type == ET_REL;
  dwarf_set_reloc_application(relocatable ? 1 : 0);
  Dwarf_Error err = nullptr;
  int rc = dwarf_elf_init(elf->impl().elf, DW_DLC_READ, nullptr, nullptr, &impl->dbg, &err);
  if (rc == DW_DLV_ERROR) {
    impl->dbg = nullptr;
    return dwarf_error(nullptr, err, "opening the DWARF").in_file(path);
  }
  if (rc != DW_DLV_OK) {
    impl->dbg = nullptr;
    return not_found("no DWARF sections").in_file(path);
  }
  impl->elf = std::move(elf);
  return DwarfTypes(std::move(impl));
}

namespace {
template <class T>
Result<T> in_file(Result<T> r, const std::string& path) {
  if (!r) return std::move(r).error().in_file(path);
  return r;
}
}  // namespace

const VmlinuxElf& DwarfTypes::elf() const {
  return *impl_->elf;
}
uint32_t DwarfTypes::pointer_size() const {
  return impl_->pointer_size;
}

std::vector<DwarfTypes::UnitRange> DwarfTypes::used_units() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<UnitRange> out;
  for (const Impl::CompileUnit& u : impl_->cus)
    if (u.used) out.push_back({u.header, u.end, u.name});
  return out;
}

DwarfTypes::Stats DwarfTypes::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

Result<TypeRef> DwarfTypes::find_type(std::string_view spelled, std::string_view hint) {
  std::lock_guard lock(impl_->mutex);
  return in_file(impl_->find_type(spelled, hint), impl_->elf->path());
}

Result<std::shared_ptr<const TypeLayout>> DwarfTypes::layout(std::string_view spelled, std::string_view hint) {
  std::lock_guard lock(impl_->mutex);
  auto type = impl_->find_type(spelled, hint);
  if (!type) return std::move(type).error().in_file(impl_->elf->path());
  if (type->kind != TypeKind::Struct && type->kind != TypeKind::Union)
    return bad_input(std::string(spelled) + " is " + type->to_string() + ", not a struct or union")
        .in_file(impl_->elf->path());
  return in_file(impl_->layout_of(type->die, 0), impl_->elf->path());
}

Result<std::shared_ptr<const TypeLayout>> DwarfTypes::layout(const TypeRef& type) {
  std::lock_guard lock(impl_->mutex);
  if ((type.kind != TypeKind::Struct && type.kind != TypeKind::Union) || !type.die)
    return bad_input(type.to_string() + " is not a struct or union").in_file(impl_->elf->path());
  return in_file(impl_->layout_of(type.die, 0), impl_->elf->path());
}

Result<std::shared_ptr<const EnumType>> DwarfTypes::enumeration(std::string_view spelled, std::string_view hint) {
  std::lock_guard lock(impl_->mutex);
  auto type = impl_->find_type(spelled, hint);
  if (!type) return std::move(type).error().in_file(impl_->elf->path());
  if (type->kind != TypeKind::Enum)
    return bad_input(std::string(spelled) + " is " + type->to_string() + ", not an enum").in_file(impl_->elf->path());
  return in_file(impl_->enum_of(type->die), impl_->elf->path());
}

Result<std::shared_ptr<const EnumType>> DwarfTypes::enumeration(const TypeRef& type) {
  std::lock_guard lock(impl_->mutex);
  if (type.kind != TypeKind::Enum || !type.die)
    return bad_input(type.to_string() + " is not an enum").in_file(impl_->elf->path());
  return in_file(impl_->enum_of(type.die), impl_->elf->path());
}

Result<int64_t> DwarfTypes::enumerator(std::string_view name, std::string_view hint, Scope scope) {
  std::lock_guard lock(impl_->mutex);
  const std::string& path = impl_->elf->path();
  auto off = impl_->find_any(kEnumerator, name, hint, "enumerator " + std::string(name), scope == Scope::HintedUnits);
  if (!off) return std::move(off).error().in_file(path);
  auto e = impl_->enum_of(*off);
  if (!e) return std::move(e).error().in_file(path);
  if (auto v = (*e)->value(name)) return *v;
  return corrupt("enumerator " + std::string(name) + " vanished from its enum").in_file(path);
}

Result<bool> DwarfTypes::function_has_local(std::string_view function, std::string_view local, std::string_view hint) {
  std::lock_guard lock(impl_->mutex);
  const std::string& path = impl_->elf->path();
  auto off = impl_->find_any(kFunction, function, hint, "function " + std::string(function));
  if (!off) return std::move(off).error().in_file(path);
  impl_->mark_used(*off);
  // The function's variables, in lexical blocks too: a breadth of DIEs
  // bounded by the function's own subtree.
  auto die = impl_->offdie(*off);
  if (!die) return std::move(die).error().in_file(path);
  std::vector<Dwarf_Off> pending = {*off};
  for (size_t visited = 0; !pending.empty() && visited < 100000; ++visited) {
    auto at = impl_->offdie(pending.back());
    pending.pop_back();
    if (!at) return std::move(at).error().in_file(path);
    auto first = impl_->child(*at);
    if (!first) return std::move(first).error().in_file(path);
    for (std::optional<Die> c = std::move(*first); c;) {
      auto t = impl_->tag(*c);
      if (!t) return std::move(t).error().in_file(path);
      if (*t == DW_TAG_variable || *t == DW_TAG_formal_parameter) {
        auto n = impl_->name(*c);
        if (!n) return std::move(n).error().in_file(path);
        if (*n && **n == local) return true;
      } else if (*t == DW_TAG_lexical_block) {
        pending.push_back(impl_->offset(*c));
      }
      auto next = impl_->sibling(*c);
      if (!next) return std::move(next).error().in_file(path);
      c = std::move(*next);
    }
  }
  return false;
}

Result<Variable> DwarfTypes::variable(std::string_view name, std::string_view hint) {
  std::lock_guard lock(impl_->mutex);
  return in_file(impl_->variable(name, hint), impl_->elf->path());
}

}  // namespace ramsift
