#include "ramsift/output/kernel_info.h"

#include <cstdio>
#include <sstream>

#include "ramsift/output/json.h"

namespace ramsift {

void print_dump_and_kernel_info(const Dump& dump, const KernelInfo* kernel, OutputFormat format, std::ostream& out) {
  switch (format) {
    case OutputFormat::Text: {
      print_dump_info(dump, format, out);
      if (!kernel) break;
      for (const auto& [key, value] : kernel->facts) {
        std::string label = key;
        for (char& ch : label)
          if (ch == '_') ch = ' ';
        char buf[24];
        std::snprintf(buf, sizeof buf, "%-16s", label.c_str());
        out << buf << value << '\n';
      }
      break;
    }
    case OutputFormat::Json: {
      JsonWriter j(out);
      j.begin_object();
      j.key("schema"), j.value("ramsift.info");
      j.key("version"), j.value(2);
      j.key("dump");
      write_dump_info_json(j, dump);
      j.key("kernel");
      if (!kernel) {
        j.null();
        j.end_object();
        out << '\n';
        break;
      }
      j.begin_object();
      auto number_of = [&](const std::string& key) -> const uint64_t* {
        for (const auto& [k, v] : kernel->numbers)
          if (k == key) return &v;
        return nullptr;
      };
      for (const auto& [key, value] : kernel->facts) {
        if (key == "note" || key == "modules") continue;
        j.key(key);
        if (const uint64_t* n = number_of(key))
          j.value(*n);
        else
          j.value(value);
      }
      for (const auto& [key, value] : kernel->numbers) {
        bool in_facts = false;
        for (const auto& f : kernel->facts) in_facts = in_facts || f.first == key;
        if (!in_facts) j.key(key), j.value(value);
      }
      j.key("modules");
      j.begin_array();
      for (const KernelModuleFact& m : kernel->modules) {
        j.begin_object();
        j.key("name"), j.value(m.name);
        j.key("size"), j.value(m.size);
        j.key("base"), j.value(hex(m.base));
        j.end_object();
      }
      j.end_array();
      j.key("notes");
      j.begin_array();
      for (const std::string& n : kernel->notes) j.value(n);
      j.end_array();
      j.key("problems");
      write_json_errors(j, kernel->problems);
      j.end_object();
      j.end_object();
      out << '\n';
      break;
    }
    case OutputFormat::Csv:
      if (!kernel) {
        print_dump_info(dump, format, out);
        break;
      }
      out << "key,value\n";
      for (const auto& [key, value] : kernel->facts) {
        write_csv_field(out, key);
        out << ',';
        write_csv_field(out, value);
        out << '\n';
      }
      break;
  }
}

}  // namespace ramsift
