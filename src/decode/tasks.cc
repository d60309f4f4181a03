#include "ramsift/decode/tasks.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>

namespace ramsift {

namespace {

// kernfs paths: cgroups nest at most a few levels; a longer parent chain is
// a loop in bad memory.
constexpr int kMaxCgroupDepth = 256;
constexpr size_t kMaxKernfsName = 255;  // NAME_MAX
constexpr size_t kMaxProblems = 100;

Result<uint64_t> read_u64(const VirtualMemory& m, VirtAddr va) {
  return m.read_u64(va);
}

Result<std::string> read_string(const VirtualMemory& m, VirtAddr va, size_t max_length) {
  std::string out;
  std::byte chunk[64];
  while (out.size() < max_length) {
    size_t want = std::min(sizeof chunk, max_length - out.size());
    RAMSIFT_TRY(size_t got, m.read(va + out.size(), std::span(chunk, want)));
    for (size_t i = 0; i < got; ++i) {
      if (chunk[i] == std::byte{0}) return out;
      out.push_back(static_cast<char>(chunk[i]));
    }
    if (got < want) break;
  }
  return out;
}

class TaskWalk {
 public:
  TaskWalk(const VirtualMemory& memory, const TaskLayout& layout, size_t limit)
      : memory_(memory), l_(layout), limit_(limit) {
    // Everything the walk reads sits before the end of the last member used.
    uint64_t end = 0;
    for (uint64_t off :
         {l_.tasks + 16, l_.pid + 4, l_.tgid + 4, l_.comm + l_.comm_size, l_.state + l_.state_size, l_.exit_state + 4,
          l_.flags + 4, l_.real_parent + 8, l_.signal + 8, (l_.thread_head ? l_.thread_node : l_.thread_group) + 16,
          l_.cgroups.value_or(0) + 8, l_.worker_private.value_or(0) + 8, l_.start_time.value_or(0) + 8})
      end = std::max(end, off);
    buf_.resize(end);
  }

  TaskList run(VirtAddr init_task) {
    list_.thread_head = l_.thread_head;
    auto first = read_task(init_task);
    if (!first) {
      problem(std::move(first).error().with_context("init_task at " + hex(init_task.value())));
      return std::move(list_);
    }
    // init_task.tasks: the leaders, init_task (pid 0) first.
    std::vector<VirtAddr> leaders{init_task};
    walk_list(init_task + l_.tasks, l_.tasks, "init_task.tasks", [&](VirtAddr task) {
      leaders.push_back(task);
      return true;
    });
    for (VirtAddr leader : leaders) {
      if (list_.tasks.size() >= limit_) {
        problem(
            corrupt("more than " + std::to_string(limit_) + " tasks: the walk stops at task " + hex(leader.value())));
        break;
      }
      auto t = read_task(leader);
      if (!t) {
        problem(std::move(t).error().with_context("task " + hex(leader.value())));
        continue;
      }
      list_.tasks.push_back(std::move(*t));
      threads_of(leader, last_signal_);
    }
    resolve_parents();
    return std::move(list_);
  }

 private:
  void problem(Error e) {
    if (list_.problems.size() < kMaxProblems) list_.problems.push_back(std::move(e));
  }

  // Walks a circular list of struct list_head from `head`: calls visit(node
  // - member) for each node that is not the head. A node whose prev does
  // not point back, one seen twice, or one unreadable ends the walk with a
  // problem naming it. visit returns false to stop.
  template <class Visit>
  void walk_list(VirtAddr head, uint64_t member, const std::string& what, Visit visit) {
    std::unordered_set<uint64_t> seen;
    VirtAddr prev = head;
    auto next = read_u64(memory_, head);
    if (!next) {
      problem(std::move(next).error().with_context(what + ": head " + hex(head.value())));
      return;
    }
    VirtAddr node(*next);
    while (node != head) {
      if (list_.tasks.size() + seen.size() >= limit_) {
        problem(corrupt(what + ": more than " + std::to_string(limit_) + " entries, stopped at " + hex(node.value())));
        return;
      }
      if (!seen.insert(node.value()).second) {
        problem(corrupt(what + ": list loops: node " + hex(node.value()) + " seen twice"));
        return;
      }
      std::byte pair[16];
      if (auto s = memory_.read_exact(node, pair); !s) {
        problem(std::move(s).error().with_context(what + ": node " + hex(node.value()) + " (after " +
                                                  hex(prev.value()) + ")"));
        return;
      }
      StructFields list_head(pair);  // struct list_head { next, prev }
      uint64_t node_next = list_head.get<uint64_t>(0), node_prev = list_head.get<uint64_t>(8);
      if (node_prev != prev.value()) {
        problem(corrupt(what + ": list broken at node " + hex(node.value()) + ": its prev is " + hex(node_prev) +
                        ", not " + hex(prev.value())));
        return;
      }
      if (!visit(node - member)) return;
      prev = node;
      node = VirtAddr(node_next);
    }
  }

  void threads_of(VirtAddr leader, uint64_t signal) {
    std::string what = "threads of task " + hex(leader.value());
    VirtAddr head = l_.thread_head ? VirtAddr(signal + l_.signal_thread_head) : leader + l_.thread_group;
    uint64_t member = l_.thread_head ? l_.thread_node : l_.thread_group;
    if (l_.thread_head && !signal) return;  // a task being reaped; nothing to walk
    std::vector<VirtAddr> threads;
    walk_list(head, member, what, [&](VirtAddr task) {
      if (task != leader) threads.push_back(task);
      return true;
    });
    for (VirtAddr at : threads) {
      if (list_.tasks.size() >= limit_) return;
      auto t = read_task(at);
      if (!t) {
        problem(std::move(t).error().with_context("task " + hex(at.value())));
        continue;
      }
      list_.tasks.push_back(std::move(*t));
    }
  }

  Result<Task> read_task(VirtAddr at) {
    RAMSIFT_TRY_STATUS(memory_.read_exact(at, buf_));
    StructFields task(buf_);
    Task t;
    t.address = at;
    t.pid = task.get<int32_t>(l_.pid);
    t.tgid = task.get<int32_t>(l_.tgid);
    t.comm = task.cstring(l_.comm, l_.comm_size);
    t.state = l_.state_size == 8 ? task.get<uint64_t>(l_.state) : task.get<uint32_t>(l_.state);
    t.exit_state = task.get<uint32_t>(l_.exit_state);
    t.flags = task.get<uint32_t>(l_.flags);
    t.parent = VirtAddr(task.get<uint64_t>(l_.real_parent));
    if (l_.start_time) t.start_time_ns = task.get<uint64_t>(*l_.start_time);
    if (l_.worker_private && t.kernel_thread()) {
      uint64_t kthread = task.get<uint64_t>(*l_.worker_private);
      auto name_at = kthread ? memory_.read_u64(VirtAddr(kthread + l_.kthread_full_name)) : Result<uint64_t>(0);
      // get_kthread_comm() copies into a 64-byte buffer.
      if (name_at && *name_at)
        if (auto name = read_string(memory_, VirtAddr(*name_at), 63); name && *name != t.comm)
          t.full_name = std::move(*name);
    }
    if (l_.cgroups) {
      uint64_t cset = task.get<uint64_t>(*l_.cgroups);
      if (auto p = cgroup_paths(cset, t.cgroup, t.memcg); !p)
        problem(std::move(p).error().with_context("task " + hex(at.value()) + " (pid " + std::to_string(t.pid) +
                                                  "): css_set " + hex(cset)));
    }
    last_signal_ = task.get<uint64_t>(l_.signal);
    if (task.short_reads())
      return corrupt("task_struct at " + hex(at.value()) + ": " + std::to_string(task.short_reads()) +
                     " fields lie past the " + std::to_string(buf_.size()) + " bytes read: the layout does not fit");
    return t;
  }

  Status cgroup_paths(uint64_t cset, std::string& cgroup, std::string& memcg) {
    if (!cset) return {};
    RAMSIFT_TRY(uint64_t dfl, read_u64(memory_, VirtAddr(cset + l_.css_set_dfl_cgrp)));
    RAMSIFT_TRY(cgroup, cgroup_path(dfl));
    if (l_.memory_cgrp_id) {
      RAMSIFT_TRY(uint64_t css, read_u64(memory_, VirtAddr(cset + l_.css_set_subsys + *l_.memory_cgrp_id * 8)));
      if (css) {
        RAMSIFT_TRY(uint64_t cg, read_u64(memory_, VirtAddr(css + l_.css_cgroup)));
        RAMSIFT_TRY(memcg, cgroup_path(cg));
      }
    }
    return {};
  }

  // kernfs_path() of cgroup->kn: "/" for the root, "/a/b" below it.
  Result<std::string> cgroup_path(uint64_t cgroup) {
    if (auto it = paths_.find(cgroup); it != paths_.end()) return it->second;
    RAMSIFT_TRY(uint64_t kn, read_u64(memory_, VirtAddr(cgroup + l_.cgroup_kn)));
    std::vector<std::string> names;
    for (int depth = 0; kn; ++depth) {
      if (depth == kMaxCgroupDepth)
        return corrupt("cgroup " + hex(cgroup) + ": kernfs parents go deeper than " + std::to_string(kMaxCgroupDepth) +
                       " (a loop?)");
      RAMSIFT_TRY(uint64_t parent, read_u64(memory_, VirtAddr(kn + l_.kn_parent)));
      if (!parent) break;  // the root's name is not part of the path
      RAMSIFT_TRY(uint64_t name_at, read_u64(memory_, VirtAddr(kn + l_.kn_name)));
      RAMSIFT_TRY(std::string name, read_string(memory_, VirtAddr(name_at), kMaxKernfsName));
      names.push_back(std::move(name));
      kn = parent;
    }
    std::string path;
    for (auto it = names.rbegin(); it != names.rend(); ++it) path += "/" + *it;
    if (path.empty()) path = "/";
    paths_.emplace(cgroup, path);
    return path;
  }

  // ppid as /proc does: real_parent's tgid.
  void resolve_parents() {
    std::unordered_map<uint64_t, int32_t> tgid_of;
    for (const Task& t : list_.tasks) tgid_of.emplace(t.address.value(), t.tgid);
    for (Task& t : list_.tasks) {
      if (auto it = tgid_of.find(t.parent.value()); it != tgid_of.end()) {
        t.ppid = it->second;
        continue;
      }
      std::byte b[4];
      if (t.parent.value() && memory_.read_exact(t.parent + l_.tgid, b)) t.ppid = StructFields(b).get<int32_t>(0);
    }
  }

  const VirtualMemory& memory_;
  const TaskLayout& l_;
  size_t limit_;
  std::vector<std::byte> buf_;
  uint64_t last_signal_ = 0;  // signal of the task read last
  std::unordered_map<uint64_t, std::string> paths_;
  TaskList list_;
};

}  // namespace

char Task::state_letter() const {
  // __task_state_index() and task_state_array[] of fs/proc/array.c (6.1-6.12
  // alike): TASK_REPORT is 0x7f, TASK_IDLE 0x402, TASK_RTLOCK_WAIT 0x1000,
  // TASK_FROZEN 0x8000 (macros, not in DWARF).
  uint64_t s = (state | exit_state) & 0x7f;
  if ((state & 0x402) == 0x402) s = 0x80;
  if (state & (0x1000 | 0x8000)) s = 2;
  static constexpr char kLetters[] = "RSDTtXZPI";
  unsigned index = s ? 64 - static_cast<unsigned>(__builtin_clzll(s)) : 0;
  return index < sizeof kLetters - 1 ? kLetters[index] : '?';
}

Result<TaskLayout> task_layout(const Kernel& kernel) {
  DwarfTypes& dwarf = kernel.dwarf();
  TaskLayout l;
  RAMSIFT_TRY(auto task, dwarf.layout("struct task_struct", "kernel/fork.c,init/init_task.c"));
  l.size = task->size;
  RAMSIFT_TRY(Member tasks, task->require("tasks"));
  RAMSIFT_TRY(Member pid, task->require("pid"));
  RAMSIFT_TRY(Member tgid, task->require("tgid"));
  RAMSIFT_TRY(Member comm, task->require("comm"));
  RAMSIFT_TRY(Member exit_state, task->require("exit_state"));
  RAMSIFT_TRY(Member flags, task->require("flags"));
  RAMSIFT_TRY(Member real_parent, task->require("real_parent"));
  RAMSIFT_TRY(Member signal, task->require("signal"));
  l.tasks = tasks.offset;
  l.pid = pid.offset;
  l.tgid = tgid.offset;
  l.comm = comm.offset;
  l.comm_size = comm.type.size ? comm.type.size : 16;
  l.exit_state = exit_state.offset;
  l.flags = flags.offset;
  l.real_parent = real_parent.offset;
  l.signal = signal.offset;
  // Renamed in Linux kernel commit 2f064a59a11f ("sched: Change task_struct::state") (in v5.14),
  // from long to unsigned int.
  auto state = task->member("__state");
  if (!state) state = task->member("state");
  if (!state) return not_found("struct task_struct has neither __state nor state");
  l.state = state->offset;
  l.state_size = state->type.size == 8 ? 8 : 4;

  // u64 nanoseconds since v3.17; before that a struct timespec (not read).
  if (auto start = task->member("start_time"); start && start->type.size == 8) l.start_time = start->offset;

  // Threads: newest first (see the header for the history).
  if (auto node = task->member("thread_node")) {
    RAMSIFT_TRY(auto sig, dwarf.layout("struct signal_struct", "kernel/fork.c"));
    RAMSIFT_TRY(Member head, sig->require("thread_head"));
    l.thread_head = true;
    l.thread_node = node->offset;
    l.signal_thread_head = head.offset;
  } else {
    RAMSIFT_TRY(Member group, task->require("thread_group"));
    l.thread_head = false;
    l.thread_group = group.offset;
  }

  if (auto wp = task->member("worker_private"))
    if (auto kthread = dwarf.layout("struct kthread", "kernel/kthread.c"))
      if (auto full = (*kthread)->member("full_name")) {
        l.worker_private = wp->offset;
        l.kthread_full_name = full->offset;
      }

  // cgroups, when the kernel has them.
  if (auto cgroups = task->member("cgroups")) {
    auto cset = dwarf.layout("struct css_set", "kernel/cgroup/cgroup.c");
    auto css = dwarf.layout("struct cgroup_subsys_state", "kernel/cgroup/cgroup.c");
    auto cgroup = dwarf.layout("struct cgroup", "kernel/cgroup/cgroup.c");
    auto kn = dwarf.layout("struct kernfs_node", "fs/kernfs/dir.c");
    if (cset && css && cgroup && kn) {
      auto dfl = (*cset)->member("dfl_cgrp");
      auto subsys = (*cset)->member("subsys");
      auto css_cgroup = (*css)->member("cgroup");
      auto cg_kn = (*cgroup)->member("kn");
      // Renamed in Linux kernel commit 633488947ef6 ("kernfs: Use RCU to access kernfs_node::parent.") (in v6.15).
      auto parent = (*kn)->member("__parent");
      if (!parent) parent = (*kn)->member("parent");
      auto name = (*kn)->member("name");
      if (dfl && subsys && css_cgroup && cg_kn && parent && name) {
        l.cgroups = cgroups->offset;
        l.css_set_dfl_cgrp = dfl->offset;
        l.css_set_subsys = subsys->offset;
        l.css_cgroup = css_cgroup->offset;
        l.cgroup_kn = cg_kn->offset;
        l.kn_parent = parent->offset;
        l.kn_name = name->offset;
        if (auto id = dwarf.enumerator("memory_cgrp_id", "kernel/cgroup/cgroup.c"); id && *id >= 0) {
          uint64_t count = subsys->type.count.value_or(0);
          if (static_cast<uint64_t>(*id) < count) l.memory_cgrp_id = static_cast<uint64_t>(*id);
        }
      }
    }
  }
  return l;
}

TaskList read_tasks(const VirtualMemory& memory, const TaskLayout& layout, VirtAddr init_task, size_t limit) {
  return TaskWalk(memory, layout, limit).run(init_task);
}

TaskList read_tasks(const Kernel& kernel, size_t limit) {
  auto layout = task_layout(kernel);
  if (!layout) {
    TaskList list;
    list.problems.push_back(std::move(layout).error().with_context("task list"));
    return list;
  }
  auto init_task = kernel.require_symbol("init_task");
  if (!init_task) {
    TaskList list;
    list.problems.push_back(std::move(init_task).error().with_context("task list"));
    return list;
  }
  return read_tasks(kernel.memory(), *layout, *init_task, limit);
}

std::unordered_map<int32_t, std::string> process_names(const TaskList& list) {
  std::unordered_map<int32_t, std::string> names;
  for (const Task& t : list.tasks)
    if (t.leader()) names.emplace(t.tgid, t.comm);
  // A group whose leader is gone (exited, not yet reaped by the last thread)
  // still has a name: its first thread's.
  for (const Task& t : list.tasks) names.emplace(t.tgid, t.comm);
  return names;
}

}  // namespace ramsift
