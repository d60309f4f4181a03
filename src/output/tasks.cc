#include "ramsift/output/tasks.h"

#include <cstdio>

#include "ramsift/output/json.h"

namespace ramsift {

namespace {

// crash's ST column: two letters per state.
const char* crash_state(char letter) {
  switch (letter) {
    case 'R': return "RU";
    case 'S': return "IN";
    case 'D': return "UN";
    case 'T': return "ST";
    case 't': return "TR";
    case 'X': return "DE";
    case 'Z': return "ZO";
    case 'P': return "PA";
    case 'I': return "ID";
    default: return "??";
  }
}

}  // namespace

void print_tasks(const TaskList& list, OutputFormat format, std::ostream& out, const TaskPrintOptions& options) {
  auto shown = [&](const Task& t) { return !options.processes_only || t.leader(); };
  switch (format) {
    case OutputFormat::Text: {
      char line[160];
      std::snprintf(line, sizeof line, "%7s %7s %7s  %-16s  %s  %-18s %s\n", "PID", "PPID", "TGID", "TASK", "ST",
                    "COMM", "MEMCG");
      out << line;
      for (const Task& t : list.tasks) {
        if (!shown(t)) continue;
        // crash brackets kernel threads' names.
        std::string comm = t.kernel_thread() ? "[" + t.comm + "]" : t.comm;
        std::snprintf(line, sizeof line, "%7d %7d %7d  %016llx  %s  %-18s %s\n", t.pid, t.ppid, t.tgid,
                      static_cast<unsigned long long>(t.address.value()), crash_state(t.state_letter()), comm.c_str(),
                      t.memcg.c_str());
        out << line;
      }
      break;
    }
    case OutputFormat::Json: {
      JsonWriter j(out);
      j.begin_array();
      for (const Task& t : list.tasks) {
        if (!shown(t)) continue;
        j.begin_object();
        j.key("pid");
        j.value(static_cast<int64_t>(t.pid));
        j.key("tgid");
        j.value(static_cast<int64_t>(t.tgid));
        j.key("ppid");
        j.value(static_cast<int64_t>(t.ppid));
        j.key("comm");
        j.value(t.comm);
        if (!t.full_name.empty()) {
          j.key("full_name");
          j.value(t.full_name);
        }
        j.key("state");
        j.value(std::string(1, t.state_letter()));
        j.key("kernel_thread");
        j.value(t.kernel_thread());
        j.key("task");
        j.value(hex(t.address.value()));
        j.key("cgroup");
        j.value(t.cgroup);
        j.key("memcg");
        j.value(t.memcg);
        if (t.start_time_ns) {
          j.key("start_time_ns");
          j.value(*t.start_time_ns);
        }
        j.end_object();
      }
      j.end_array();
      out << '\n';
      break;
    }
    case OutputFormat::Csv:
      out << "pid,tgid,ppid,comm,state,kernel_thread,task,cgroup,memcg,start_time_ns\n";
      for (const Task& t : list.tasks) {
        if (!shown(t)) continue;
        out << t.pid << ',' << t.tgid << ',' << t.ppid << ',';
        write_csv_field(out, t.comm);
        out << ',' << t.state_letter() << ',' << (t.kernel_thread() ? 1 : 0) << ',' << hex(t.address.value()) << ',';
        write_csv_field(out, t.cgroup);
        out << ',';
        write_csv_field(out, t.memcg);
        out << ',';
        if (t.start_time_ns) out << *t.start_time_ns;
        out << '\n';
      }
      break;
  }
}

}  // namespace ramsift
