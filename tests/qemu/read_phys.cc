// ramsift-read-phys DUMP...: reads physical memory through open_dump for the
// QEMU tests, which check the bytes against their own parse of the files.
//
// stdin: one request a line, "ADDR LEN" (hex or decimal).
// stdout: first "problems N" (the dump's non-fatal problems, each also on
// stderr), then one line per request: "ok <hex bytes>" or "err <code>: <message>".
// Exit 0 when the dump opened, 2 when it did not.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "ramsift/dump/dump.h"

using namespace ramsift;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: ramsift-read-phys DUMP... < requests\n";
    return 2;
  }
  std::vector<std::string> inputs(argv + 1, argv + argc);
  auto dump = open_dump(inputs, OpenOptions{});
  if (!dump) {
    std::cerr << "ramsift-read-phys: " << dump.error().to_string() << '\n';
    return 2;
  }
  std::cout << "problems " << (*dump)->problems().size() << '\n';
  for (const Error& e : (*dump)->problems()) std::cerr << "problem: " << e.to_string() << '\n';

  std::string addr_text, len_text;
  std::vector<std::byte> buf;
  std::string line;
  while (std::cin >> addr_text >> len_text) {
    uint64_t addr = std::strtoull(addr_text.c_str(), nullptr, 0);
    uint64_t len = std::strtoull(len_text.c_str(), nullptr, 0);
    if (len > (64u << 20)) {
      std::cout << "err bad input: length too large\n";
      continue;
    }
    buf.resize(len);
    Status s = (*dump)->read_exact(PhysAddr{addr}, buf);
    if (!s) {
      std::cout << "err " << error_code_name(s.error().code()) << ": " << s.error().to_string() << '\n';
      continue;
    }
    line.assign("ok ");
    static const char digits[] = "0123456789abcdef";
    for (std::byte b : buf) {
      line.push_back(digits[static_cast<unsigned>(b) >> 4]);
      line.push_back(digits[static_cast<unsigned>(b) & 15]);
    }
    line.push_back('\n');
    std::cout << line;
  }
  return 0;
}
