// A small streaming JSON writer: correct escaping, no dependencies.
//
//   JsonWriter j(std::cout);
//   j.begin_object();
//   j.key("format"); j.value("ELF core");
//   j.key("ranges"); j.begin_array(); ... j.end_array();
//   j.end_object();
#pragma once

#include <cstdint>
#include <ostream>
#include <string_view>
#include <vector>

#include "ramsift/base/error.h"

namespace ramsift {

class JsonWriter {
 public:
  explicit JsonWriter(std::ostream& out, bool pretty = true) : out_(out), pretty_(pretty) {}
  ~JsonWriter();

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view name);
  void value(std::string_view text);
  void value(const char* text) { value(std::string_view(text)); }
  void value(uint64_t number);
  void value(int64_t number);
  void value(int number) { value(static_cast<int64_t>(number)); }
  void value(unsigned number) { value(static_cast<uint64_t>(number)); }
  void value(bool flag);
  void null();

  static void escape(std::ostream& out, std::string_view text);

 private:
  void before_value();
  void newline();

  std::ostream& out_;
  bool pretty_;
  struct Level {
    bool first = true;
  };
  std::vector<Level> stack_;
  bool after_key_ = false;
};

// RFC 4180 field: quoted when it holds a comma, quote or newline.
void write_csv_field(std::ostream& out, std::string_view field);

// Errors as the schema's "error" objects (docs/schema.json): {code, message,
// file, offset, address}, the parts an error does not have null.
void write_json_errors(JsonWriter& j, const std::vector<Error>& errors);

}  // namespace ramsift
