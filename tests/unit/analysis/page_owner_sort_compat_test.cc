// `ramsift top --compat page_owner_sort` against the kernel's own
// page_owner_sort, built from the 6.1 and 6.12 sources by
// page_owner_sort.cmake: byte for byte, for a matrix of options and the
// synthetic samples. Each case runs against the tool with ramsift's
// documented fixes applied ("fixed"), and, when the case does not touch a
// fixed bug, against the unmodified tool too ("pristine").
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "ramsift/analysis/page_owner_sort.h"
#include "ramsift/decode/page_owner_text.h"

using namespace ramsift;

namespace {

#if defined(RAMSIFT_PAGE_OWNER_SORT_6_1_MISSING) || defined(RAMSIFT_PAGE_OWNER_SORT_6_12_MISSING)
constexpr bool kToolsBuilt = false;
#else
constexpr bool kToolsBuilt = true;
#endif

struct Tool {
  PageOwnerSortVersion version;
  const char* pristine;
  const char* fixed;
};

Tool tool(PageOwnerSortVersion v) {
#if !defined(RAMSIFT_PAGE_OWNER_SORT_6_1_MISSING) && !defined(RAMSIFT_PAGE_OWNER_SORT_6_12_MISSING)
  if (v == PageOwnerSortVersion::V6_1)
    return {v, RAMSIFT_PAGE_OWNER_SORT_6_1_PRISTINE, RAMSIFT_PAGE_OWNER_SORT_6_1_FIXED};
  return {v, RAMSIFT_PAGE_OWNER_SORT_6_12_PRISTINE, RAMSIFT_PAGE_OWNER_SORT_6_12_FIXED};
#else
  return {v, "", ""};
#endif
}

std::string data_path(const std::string& name) {
  return std::string(RAMSIFT_TEST_DATA) + "/page_owner/" + name;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The command line as page_owner_sort's getopt_long sees it.
std::vector<PageOwnerSortArg> to_args(const std::vector<std::string>& words) {
  std::vector<PageOwnerSortArg> args;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    auto next = [&] { return i + 1 < words.size() ? words[++i] : std::string(); };
    if (w == "--pid")
      args.push_back({kPosPid, next()});
    else if (w == "--tgid")
      args.push_back({kPosTgid, next()});
    else if (w == "--name")
      args.push_back({kPosName, next()});
    else if (w == "--cull")
      args.push_back({kPosCull, next()});
    else if (w == "--sort")
      args.push_back({kPosSort, next()});
    else if (w.size() == 2 && w[0] == '-')
      args.push_back({w[1], {}});
    else
      FAIL("bad test option " << w);
  }
  return args;
}

std::string run_tool(const char* binary, const std::string& options, const std::string& input) {
  std::string out = "/tmp/ramsift-pos-" + std::to_string(getpid()) + ".txt";
  std::string cmd = std::string(binary) + " " + options + " " + input + " " + out + " > /dev/null";
  int rc = std::system(cmd.c_str());
  REQUIRE_MESSAGE(rc == 0, cmd);
  std::string text = slurp(out);
  std::remove(out.c_str());
  return text;
}

std::string run_ramsift(PageOwnerSortVersion version, const std::string& options, const std::string& input) {
  auto sorter = PageOwnerSort::configure(version, to_args(split_words(options)));
  REQUIRE_MESSAGE(sorter, sorter.error().to_string());
  std::string text = slurp(input);
  PageOwnerTextReader reader(text, input);
  std::string out;
  sorter->run(reader, out);
  CHECK(reader.problems().empty());
  return out;
}

// Does the case touch a bug ramsift fixes (then only the fixed tool must agree)?
bool touches_fixed_bug(PageOwnerSortVersion v, const std::string& options) {
  auto words = split_words(options);
  bool letter = false, sort = false, cull = false, cull_free = false;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.size() == 2 && w[0] == '-' && std::string("amnpPstr").find(w[1]) != std::string::npos) letter = true;
    if (w == "--sort") sort = true;
    if (w == "--cull") {
      cull = true;
      for (const std::string& k : {std::string("f"), std::string("free")})
        for (size_t at = 0; (at = words[i + 1].find(k, at)) != std::string::npos; ++at) {
          bool starts = at == 0 || words[i + 1][at - 1] == ',';
          size_t end = at + k.size();
          if (starts && (end == words[i + 1].size() || words[i + 1][end] == ',')) cull_free = true;
        }
    }
  }
  if (v == PageOwnerSortVersion::V6_12) return sort && !letter;  // deviation 1
  return (!letter && !sort && !cull) || cull_free;               // deviations 2 and 3
}

void compare_matrix(PageOwnerSortVersion version, const std::vector<std::string>& inputs,
                    const std::vector<std::string>& matrix) {
  REQUIRE_MESSAGE(kToolsBuilt,
                  "page_owner_sort was not built: install linux-source-6.1 and linux-source-6.12 "
                  "(.ci/setup) and re-run cmake");
  Tool t = tool(version);
  for (const std::string& input_name : inputs) {
    std::string input = data_path(input_name);
    for (const std::string& options : matrix) {
      CAPTURE(input_name);
      CAPTURE(options);
      std::string ours = run_ramsift(version, options, input);
      CHECK(ours == run_tool(t.fixed, options, input));
      if (!touches_fixed_bug(version, options)) CHECK(ours == run_tool(t.pristine, options, input));
    }
  }
}

}  // namespace

TEST_CASE("analysis: page_owner_sort 6.12: byte-identical output for sort, cull and select options") {
  compare_matrix(PageOwnerSortVersion::V6_12, {"synthetic-6.12.txt", "synthetic-6.1.txt"},
                 {"",
                  "-t",
                  "-m",
                  "-s",
                  "-p",
                  "-P",
                  "-n",
                  "-a",
                  "-d -m",
                  "--cull st",
                  "--cull stacktrace",
                  "--cull pid",
                  "--cull tg",
                  "--cull n",
                  "--cull ator",
                  "--cull stacktrace,pid",
                  "--cull p,tg,n,st,ator",
                  "-m --cull n,st",
                  "-a --cull st",
                  "--pid 812,1",
                  "--tgid 2290",
                  "--name bash,Xorg",
                  "--name bash --cull st",
                  "--pid 812 --cull st",
                  "--tgid 2290 --cull n,p -m",
                  "--name Xorg,systemd --cull n",
                  "--sort -ator",
                  "--sort n,-p",
                  "--sort at",
                  "--sort -at,p",
                  "--sort -T",
                  "--sort st,-tg",
                  "--sort txt,pid --cull p",
                  "-m --sort n",
                  "--cull st --sort p"});
}

TEST_CASE("analysis: page_owner_sort 6.1: byte-identical output for sort, cull, select and free options") {
  compare_matrix(PageOwnerSortVersion::V6_1, {"synthetic-6.1.txt", "synthetic-6.12.txt", "synthetic-6.1-released.txt"},
                 {"",
                  "-t",
                  "-m",
                  "-s",
                  "-p",
                  "-P",
                  "-n",
                  "-a",
                  "-r",
                  "-f",
                  "-f -m",
                  "-t -f",
                  "-d -s",
                  "--cull st",
                  "--cull pid",
                  "--cull tg",
                  "--cull n",
                  "--cull ator",
                  "--cull st,p",
                  "--cull f",
                  "--cull free,st",
                  "--cull f,n -m",
                  "--pid 812,1 -t",
                  "--name bash,Xorg -m",
                  "--tgid 2290 --cull p",
                  "--sort -at,pid",
                  "--sort ft",
                  "--sort -ft,at",
                  "--sort p,-st",
                  "--sort T",
                  "--sort ator,n",
                  "-m -a",
                  "-a -m",
                  "--sort p -m",
                  "-m --sort n,-p",
                  "--cull st -r",
                  "-r --cull st"});
}

TEST_CASE("analysis: page_owner_sort 6.1 --cull free: ramsift's labels are the unmodified tool's, corrected") {
  // In this sample every record with free_ts != 0 has ts < free_ts, so the
  // tool's grouping (free_ts != 0) is -f's "released" and only the labels,
  // which the tool has the wrong way round, differ.
  REQUIRE(kToolsBuilt);
  std::string input = data_path("synthetic-6.1-released.txt");
  std::string theirs = run_tool(tool(PageOwnerSortVersion::V6_1).pristine, "--cull f,st", input);
  std::string swapped;
  for (size_t at = 0; at < theirs.size();) {
    if (theirs.compare(at, 12, "(UNRELEASED)") == 0) {
      swapped += "(RELEASED)";
      at += 12;
    } else if (theirs.compare(at, 10, "(RELEASED)") == 0) {
      swapped += "(UNRELEASED)";
      at += 10;
    } else {
      swapped += theirs[at++];
    }
  }
  CHECK(swapped != theirs);
  CHECK(run_ramsift(PageOwnerSortVersion::V6_1, "--cull f,st", input) == swapped);
}

TEST_CASE("analysis: page_owner_sort options rejected as the tool rejects them") {
  auto error_of = [](PageOwnerSortVersion v, const std::string& options) {
    auto r = PageOwnerSort::configure(v, to_args(split_words(options)));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::BadInput);
    return r.error().message();
  };
  using V = PageOwnerSortVersion;
  CHECK(error_of(V::V6_12, "--cull st,bogus") == "wrong argument after --cull option:st,bogus");
  CHECK(error_of(V::V6_12, "--cull st,") == "wrong argument after --cull option:st,");
  CHECK(error_of(V::V6_12, "--sort ft") == "wrong argument after --sort option:ft");
  CHECK(error_of(V::V6_1, "--sort f") == "wrong argument after --sort option:f");
  CHECK(error_of(V::V6_1, "--cull at") == "wrong argument after --cull option:at");
  CHECK(error_of(V::V6_12, "--pid 1,x") == "wrong/invalid pid in from the command line:1,x");
  CHECK(error_of(V::V6_12, "--tgid ''") == "wrong/invalid tgid in from the command line:''");
  CHECK(error_of(V::V6_12, "-m -t").starts_with("only one of"));
  CHECK(error_of(V::V6_12, "-f").starts_with("-f (drop released blocks) exists only"));
  CHECK(error_of(V::V6_12, "-r").starts_with("-r (sort by free time) exists only"));
  CHECK(PageOwnerSort::configure(V::V6_12, to_args(split_words("-m -m"))));
}

TEST_CASE("analysis: ramsift top --compat: the command line keeps page_owner_sort's option order") {
  REQUIRE(kToolsBuilt);
  std::string input = data_path("synthetic-6.1.txt");
  std::string out = "/tmp/ramsift-top-" + std::to_string(getpid()) + ".txt";
  for (const std::string options : {"-m --sort n,-p", "--sort n,-p -m", "-a -m", "--cull st,pid --sort -p"}) {
    CAPTURE(options);
    std::string cmd =
        std::string(RAMSIFT_BINARY) + " top --compat page_owner_sort-6.1 " + options + " " + input + " > " + out;
    REQUIRE(std::system(cmd.c_str()) == 0);
    CHECK(slurp(out) == run_tool(tool(PageOwnerSortVersion::V6_1).pristine, options, input));
  }
  std::string cmd = std::string(RAMSIFT_BINARY) + " top --compat page_owner_sort --cull st -m " +
                    data_path("synthetic-6.12.txt") + " > " + out;
  REQUIRE(std::system(cmd.c_str()) == 0);
  CHECK(slurp(out) ==
        run_tool(tool(PageOwnerSortVersion::V6_12).pristine, "--cull st -m", data_path("synthetic-6.12.txt")));
  std::remove(out.c_str());
}
