#include "ramsift/output/json.h"

#include <cstdio>

namespace ramsift {

JsonWriter::~JsonWriter() {
  if (pretty_) out_ << '\n';
}

void JsonWriter::newline() {
  if (!pretty_) return;
  out_ << '\n';
  for (size_t i = 0; i < stack_.size(); ++i) out_ << "  ";
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!stack_.empty()) {
    if (!stack_.back().first) out_ << ',';
    stack_.back().first = false;
    newline();
  }
}

void JsonWriter::begin_object() {
  before_value();
  out_ << '{';
  stack_.push_back({});
}

void JsonWriter::end_object() {
  bool empty = stack_.back().first;
  stack_.pop_back();
  if (!empty) newline();
  out_ << '}';
}

void JsonWriter::begin_array() {
  before_value();
  out_ << '[';
  stack_.push_back({});
}

void JsonWriter::end_array() {
  bool empty = stack_.back().first;
  stack_.pop_back();
  if (!empty) newline();
  out_ << ']';
}

void JsonWriter::key(std::string_view name) {
  before_value();
  escape(out_, name);
  out_ << (pretty_ ? ": " : ":");
  after_key_ = true;
}

void JsonWriter::value(std::string_view text) {
  before_value();
  escape(out_, text);
}

void JsonWriter::value(uint64_t number) {
  before_value();
  out_ << number;
}

void JsonWriter::value(int64_t number) {
  before_value();
  out_ << number;
}

void JsonWriter::value(bool flag) {
  before_value();
  out_ << (flag ? "true" : "false");
}

void JsonWriter::null() {
  before_value();
  out_ << "null";
}

void JsonWriter::escape(std::ostream& out, std::string_view text) {
  out << '"';
  for (unsigned char c : text) {
    switch (c) {
      case '"': out << "\\\""; break;
      case '\\': out << "\\\\"; break;
      case '\n': out << "\\n"; break;
      case '\r': out << "\\r"; break;
      case '\t': out << "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out << buf;
        } else {
          out << static_cast<char>(c);
        }
    }
  }
  out << '"';
}

void write_csv_field(std::ostream& out, std::string_view field) {
  if (field.find_first_of(",\"\n\r") == std::string_view::npos) {
    out << field;
    return;
  }
  out << '"';
  for (char c : field) {
    if (c == '"') out << '"';
    out << c;
  }
  out << '"';
}

namespace {

// The schema's error codes: identifiers, not the messages' words.
const char* error_code_id(ErrorCode code) {
  switch (code) {
    case ErrorCode::Fault: return "fault";
    case ErrorCode::NoData: return "no_data";
    case ErrorCode::Corrupt: return "corrupt";
    case ErrorCode::NotImplemented: return "not_implemented";
    case ErrorCode::Io: return "io";
    case ErrorCode::NotFound: return "not_found";
    case ErrorCode::BadInput: return "bad_input";
  }
  return "error";
}

}  // namespace

void write_json_errors(JsonWriter& j, const std::vector<Error>& errors) {
  j.begin_array();
  for (const Error& e : errors) {
    j.begin_object();
    j.key("code"), j.value(error_code_id(e.code()));
    j.key("message"), j.value(e.message());
    j.key("file");
    if (e.file().empty())
      j.null();
    else
      j.value(e.file());
    j.key("offset");
    if (e.offset())
      j.value(*e.offset());
    else
      j.null();
    auto address = [&](const char* key, std::optional<uint64_t> a) {
      j.key(key);
      if (a)
        j.value(hex(*a));
      else
        j.null();
    };
    address("address", e.address());
    address("physical", e.physical() ? std::optional<uint64_t>(e.physical()->value()) : std::nullopt);
    address("virtual", e.virtual_address() ? std::optional<uint64_t>(e.virtual_address()->value()) : std::nullopt);
    j.end_object();
  }
  j.end_array();
}

}  // namespace ramsift
