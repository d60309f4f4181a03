// The kernel's tasks in a dump: every process on init_task.tasks and every
// thread of each, with what `ramsift ps` prints and what analyses need to
// name a tgid (process_names()).
//
//   TaskList list = read_tasks(kernel);
//   for (const Task& t : list.tasks) t.pid, t.tgid, t.ppid, t.comm, t.state_letter(), t.memcg;
//   for (const Error& e : list.problems) report(e);   // the tasks read so far are kept
//   auto names = process_names(list);                  // tgid -> the process's current comm
//
// Lists walked, by evidence (task_layout() looks the members up in DWARF):
//   - processes: init_task.tasks (thread group leaders; init_task itself,
//     pid 0, comes first as crash's ps shows it);
//   - threads: signal->thread_head through task->thread_node, which came in
//     Linux kernel commit 0c740d0afc3b ("introduce for_each_thread() to
//     replace the buggy while_each_thread()") (in v3.14); before it, the
//     leader's task->thread_group ring, which went away in Linux kernel
//     commit 8e1f385104ac ("kill task_struct->thread_group") (in v6.7).
//     The newest present is used.
// Every walk is bounded (`limit` tasks in all, kMaxTasks by default: the
// kernel's PID_MAX_LIMIT) and checked: a node whose prev does not point
// back, or a node seen twice, ends that list with a Corrupt error naming
// the address; a process's broken thread list ends only that process's
// threads.
//
// cgroup paths: `cgroup` is the task's cgroup on the default (v2)
// hierarchy, css_set->dfl_cgrp, as /proc/PID/cgroup prints it ("/ramsift-a");
// `memcg` the memory controller's cgroup,
// css_set->subsys[memory_cgrp_id]->cgroup (the nearest ancestor with the
// memory controller enabled, or the root). Both are kernfs paths built from
// kernfs_node names up to the root; empty when the kernel has no such
// thing (no CONFIG_MEMCG) or it could not be read (a problem is recorded).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ramsift/kernel/kernel.h"

namespace ramsift {

// PID_MAX_LIMIT (4 * 1024 * 1024 on 64-bit): no kernel has more tasks.
inline constexpr size_t kMaxTasks = size_t{4} << 20;

// Offsets in the kernel's structs, from DWARF; the walk reads nothing else.
struct TaskLayout {
  uint64_t size = 0;           // sizeof(struct task_struct)
  uint64_t tasks = 0;          // task_struct.tasks (struct list_head)
  uint64_t pid = 0, tgid = 0;  // pid_t
  uint64_t comm = 0, comm_size = 16;
  uint64_t state = 0;       // __state (5.14+) or state
  uint64_t state_size = 4;  // unsigned int __state; long state before
  uint64_t exit_state = 0;
  uint64_t flags = 0;  // unsigned int flags (PF_*)
  uint64_t real_parent = 0;
  uint64_t signal = 0;  // struct signal_struct *
  // Threads: thread_node + signal_struct.thread_head, or the thread_group ring.
  bool thread_head = true;
  uint64_t thread_node = 0, signal_thread_head = 0;
  uint64_t thread_group = 0;
  // cgroups: task_struct.cgroups (struct css_set *) and beyond; absent
  // without CONFIG_CGROUPS.
  std::optional<uint64_t> cgroups;
  uint64_t css_set_dfl_cgrp = 0, css_set_subsys = 0;
  std::optional<uint64_t> memory_cgrp_id;  // enum cgroup_subsys_id; absent without CONFIG_MEMCG
  uint64_t css_cgroup = 0, cgroup_kn = 0, kn_parent = 0, kn_name = 0;
  // A kernel thread's untruncated name: task->worker_private -> struct
  // kthread.full_name (both in 6.1; absent: not read).
  std::optional<uint64_t> worker_private;
  uint64_t kthread_full_name = 0;
  // task_struct.start_time (u64, ns of CLOCK_MONOTONIC at fork: ktime_get_ns()
  // in copy_process()); absent from the DWARF: not read.
  std::optional<uint64_t> start_time;
};

struct Task {
  VirtAddr address;  // the struct task_struct
  int32_t pid = 0, tgid = 0;
  int32_t ppid = 0;  // real_parent's tgid, as /proc/PID/status PPid
  VirtAddr parent;   // real_parent
  std::string comm;
  // A kernel thread's full name when comm truncated it (what /proc/PID/status
  // prints for kernel threads that are not workqueue workers); "" otherwise.
  std::string full_name;
  uint64_t state = 0;  // __state
  uint32_t exit_state = 0;
  uint32_t flags = 0;
  std::string cgroup, memcg;
  // When the task was forked (task_struct.start_time, CLOCK_MONOTONIC ns);
  // empty when the kernel's DWARF has no such member.
  std::optional<uint64_t> start_time_ns;

  bool leader() const { return pid == tgid; }
  // PF_KTHREAD (0x00200000, the same value since v2.6.27; a macro, so not in DWARF).
  bool kernel_thread() const { return flags & 0x00200000; }
  // fs/proc/array.c's letter: R S D T t X Z P I.
  char state_letter() const;
};

struct TaskList {
  std::vector<Task> tasks;  // each process followed by its other threads, in list order
  std::vector<Error> problems;
  bool thread_head = true;  // which thread list the kernel has (for `info`)
};

// The layout from the kernel's DWARF: NotFound naming the missing member.
Result<TaskLayout> task_layout(const Kernel& kernel);
// The walk on a kernel.
TaskList read_tasks(const Kernel& kernel, size_t limit = kMaxTasks);
// The walk on any kernel memory (unit tests): init_task is its runtime address.
TaskList read_tasks(const VirtualMemory& memory, const TaskLayout& layout, VirtAddr init_task,
                    size_t limit = kMaxTasks);

// tgid -> the thread group leader's comm (the name `top` gives a tgid).
std::unordered_map<int32_t, std::string> process_names(const TaskList& list);

}  // namespace ramsift
