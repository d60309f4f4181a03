// The task-list walk on hand-laid task_structs in fake memory: processes,
// threads (both list kinds), parents, cgroup paths, and broken lists.
#include "ramsift/decode/tasks.h"

#include <doctest/doctest.h>

#include "ramsift/arch/virtual_memory.h"
#include "support/fake_memory.h"

using namespace ramsift;
using ramsift::testing::FakePhysicalMemory;

namespace {

constexpr uint64_t kBase = 0xffff888000000000;  // va = kBase + pa

class LinearTranslator final : public Translator {
 public:
  Arch arch() const override { return Arch::Unknown; }
  uint64_t page_size() const override { return 4096; }
  Result<Translation> walk(const PhysicalMemory&, VirtAddr va) const override {
    if (va.value() < kBase) return fault("va " + hex(va.value()) + " not mapped");
    return Translation{PhysAddr(va.value() - kBase), 4096};
  }
};

// A made-up layout: small offsets, each named after the kernel's member.
TaskLayout test_layout(bool thread_head = true) {
  TaskLayout l;
  l.size = 0x100;
  l.state = 0x00;
  l.tasks = 0x10;  // next 0x10, prev 0x18
  l.pid = 0x20;
  l.tgid = 0x24;
  l.comm = 0x30;
  l.comm_size = 16;
  l.exit_state = 0x40;
  l.flags = 0x44;
  l.real_parent = 0x48;
  l.signal = 0x50;
  l.thread_head = thread_head;
  l.thread_node = 0x58;  // next 0x58, prev 0x60 (thread_group when !thread_head)
  l.thread_group = 0x58;
  l.signal_thread_head = 0x10;
  l.cgroups = 0x68;
  l.css_set_dfl_cgrp = 0x00;
  l.css_set_subsys = 0x08;
  l.memory_cgrp_id = 1;
  l.css_cgroup = 0x00;
  l.cgroup_kn = 0x00;
  l.kn_parent = 0x00;
  l.kn_name = 0x08;
  l.start_time = 0x70;
  return l;
}

VirtAddr va(uint64_t pa) {
  return VirtAddr(kBase + pa);
}

struct Guest {
  FakePhysicalMemory mem;
  TaskLayout l = test_layout();

  void u64(uint64_t pa, uint64_t v) { mem.set_u64(PhysAddr(pa), v); }
  void u32(uint64_t pa, uint32_t v) {
    for (int i = 0; i < 4; ++i) mem.set_byte(PhysAddr(pa + i), static_cast<std::byte>(v >> (8 * i)));
  }
  void str(uint64_t pa, std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i) mem.set_byte(PhysAddr(pa + i), static_cast<std::byte>(s[i]));
    mem.set_byte(PhysAddr(pa + s.size()), std::byte{0});
  }
  // A task_struct at pa; list pointers are set by link().
  void task(uint64_t pa, int32_t pid, int32_t tgid, std::string_view comm, uint64_t parent_pa, uint64_t signal_pa,
            uint64_t css_set_pa, uint32_t state = 1) {
    u32(pa + l.state, state);
    u32(pa + l.pid, static_cast<uint32_t>(pid));
    u32(pa + l.tgid, static_cast<uint32_t>(tgid));
    str(pa + l.comm, comm);
    u64(pa + l.real_parent, va(parent_pa).value());
    u64(pa + l.signal, va(signal_pa).value());
    u64(pa + *l.cgroups, css_set_pa ? va(css_set_pa).value() : 0);
    u64(pa + *l.start_time, 1000000000ull * static_cast<uint64_t>(pid) + 7);  // made up: pid seconds + 7 ns
  }
  // A circular list: head (a list_head at pa) then the nodes, in order.
  void link(std::vector<uint64_t> nodes) {
    for (size_t i = 0; i < nodes.size(); ++i) {
      uint64_t next = nodes[(i + 1) % nodes.size()], prev = nodes[(i + nodes.size() - 1) % nodes.size()];
      u64(nodes[i], va(next).value());
      u64(nodes[i] + 8, va(prev).value());
    }
  }
};

// Cgroups: root kn at 0x9000 (no parent), "grp" below it; css_sets at 0xa000
// (root) and 0xa100 (grp); memory css at 0xa800 (root) and 0xa900 (grp).
void cgroups(Guest& g) {
  g.u64(0x9000 + g.l.kn_parent, 0);  // kernfs root: parent NULL
  g.u64(0x9000 + g.l.kn_name, va(0x9800).value());
  g.str(0x9800, "");
  g.u64(0x9100 + g.l.kn_parent, va(0x9000).value());  // "grp", child of the root
  g.u64(0x9100 + g.l.kn_name, va(0x9900).value());
  g.str(0x9900, "grp");
  g.u64(0xb000 + g.l.cgroup_kn, va(0x9000).value());   // struct cgroup (root) -> kn
  g.u64(0xb100 + g.l.cgroup_kn, va(0x9100).value());   // struct cgroup (grp) -> kn
  g.u64(0xa800 + g.l.css_cgroup, va(0xb000).value());  // memory css (root)
  g.u64(0xa900 + g.l.css_cgroup, va(0xb100).value());  // memory css (grp)
  g.u64(0xa000 + g.l.css_set_dfl_cgrp, va(0xb000).value());
  g.u64(0xa000 + g.l.css_set_subsys + 8, va(0xa800).value());  // subsys[memory_cgrp_id = 1]
  g.u64(0xa100 + g.l.css_set_dfl_cgrp, va(0xb100).value());
  g.u64(0xa100 + g.l.css_set_subsys + 8, va(0xa900).value());
}

// init_task (pid 0) at 0x1000, init (pid 1) at 0x2000 with a thread (pid 5)
// at 0x3000, and "worker" (pid 2) at 0x4000. signal_structs at 0x5000
// (init's), 0x5100 (init_task's), 0x5200 (worker's).
Guest three_tasks() {
  Guest g;
  cgroups(g);
  g.task(0x1000, 0, 0, "swapper/0", 0x1000, 0x5100, 0xa000, 0);
  g.task(0x2000, 1, 1, "init", 0x1000, 0x5000, 0xa000);
  g.task(0x3000, 5, 1, "init-thread", 0x1000, 0x5000, 0xa100);
  g.task(0x4000, 2, 2, "worker", 0x2000, 0x5200, 0xa100, 0x402);  // TASK_IDLE
  g.u32(0x4000 + g.l.flags, 0x00200000);                          // PF_KTHREAD
  g.link({0x1000 + g.l.tasks, 0x2000 + g.l.tasks, 0x4000 + g.l.tasks});
  g.link({0x5000 + g.l.signal_thread_head, 0x2000 + g.l.thread_node, 0x3000 + g.l.thread_node});
  g.link({0x5100 + g.l.signal_thread_head, 0x1000 + g.l.thread_node});
  g.link({0x5200 + g.l.signal_thread_head, 0x4000 + g.l.thread_node});
  return g;
}

}  // namespace

TEST_CASE("tasks: processes and threads, with parents and cgroup paths") {
  Guest g = three_tasks();
  LinearTranslator tr;
  VirtualMemory vm(g.mem, tr);
  TaskList list = read_tasks(vm, g.l, va(0x1000));
  for (const Error& e : list.problems) INFO(e.to_string());
  CHECK(list.problems.empty());
  REQUIRE(list.tasks.size() == 4);
  CHECK(list.tasks[0].pid == 0);
  CHECK(list.tasks[0].comm == "swapper/0");
  CHECK(list.tasks[0].state_letter() == 'R');
  CHECK(list.tasks[1].pid == 1);
  CHECK(list.tasks[1].ppid == 0);
  CHECK(list.tasks[1].cgroup == "/");
  CHECK(list.tasks[1].memcg == "/");
  CHECK(list.tasks[1].state_letter() == 'S');
  CHECK(list.tasks[1].start_time_ns == 1000000007ull);
  // The thread follows its process.
  CHECK(list.tasks[2].pid == 5);
  CHECK(list.tasks[2].tgid == 1);
  CHECK(list.tasks[2].comm == "init-thread");
  CHECK(list.tasks[2].cgroup == "/grp");
  CHECK(list.tasks[2].memcg == "/grp");
  CHECK(list.tasks[3].pid == 2);
  CHECK(list.tasks[3].ppid == 1);
  CHECK(list.tasks[3].kernel_thread());
  CHECK(list.tasks[3].state_letter() == 'I');
  auto names = process_names(list);
  CHECK(names.at(1) == "init");
  CHECK(names.at(2) == "worker");
}

TEST_CASE("tasks: the old thread_group ring") {
  Guest g = three_tasks();
  g.l = test_layout(false);
  // thread_group: a ring through the leader and its threads, no head.
  g.link({0x2000 + g.l.thread_group, 0x3000 + g.l.thread_group});
  g.link({0x1000 + g.l.thread_group});
  g.link({0x4000 + g.l.thread_group});
  LinearTranslator tr;
  VirtualMemory vm(g.mem, tr);
  TaskList list = read_tasks(vm, g.l, va(0x1000));
  CHECK(list.problems.empty());
  REQUIRE(list.tasks.size() == 4);
  CHECK(list.tasks[2].pid == 5);
  CHECK(!list.thread_head);
}

TEST_CASE("tasks: a node whose prev does not point back ends the walk, tasks so far kept") {
  Guest g = three_tasks();
  g.u64(0x4000 + g.l.tasks + 8, va(0x7777).value());  // worker's tasks.prev: not init's node
  LinearTranslator tr;
  VirtualMemory vm(g.mem, tr);
  TaskList list = read_tasks(vm, g.l, va(0x1000));
  REQUIRE(list.problems.size() == 1);
  CHECK(list.problems[0].code() == ErrorCode::Corrupt);
  CHECK(list.problems[0].message().find(hex(va(0x4000 + g.l.tasks).value())) != std::string::npos);
  REQUIRE(list.tasks.size() == 3);  // init_task, init and its thread
  CHECK(list.tasks[1].pid == 1);
}

TEST_CASE("tasks: a next pointer into nowhere is an error naming it") {
  Guest g = three_tasks();
  g.u64(0x2000 + g.l.tasks, 0x1234);  // init's tasks.next: not mapped
  LinearTranslator tr;
  VirtualMemory vm(g.mem, tr);
  TaskList list = read_tasks(vm, g.l, va(0x1000));
  REQUIRE(!list.problems.empty());
  CHECK(list.problems[0].to_string().find("0x1234") != std::string::npos);
  CHECK(list.tasks.size() == 3);
}

TEST_CASE("tasks: a thread list that loops back to a thread is refused") {
  Guest g = three_tasks();
  // The thread's node points to itself: prev matches on the first visit, then it is seen twice.
  g.u64(0x3000 + g.l.thread_node, va(0x3000 + g.l.thread_node).value());
  g.u64(0x3000 + g.l.thread_node + 8, va(0x3000 + g.l.thread_node).value());
  g.u64(0x2000 + g.l.thread_node, va(0x3000 + g.l.thread_node).value());
  g.u64(0x3000 + g.l.thread_node + 8, va(0x2000 + g.l.thread_node).value());
  LinearTranslator tr;
  VirtualMemory vm(g.mem, tr);
  TaskList list = read_tasks(vm, g.l, va(0x1000));
  REQUIRE(!list.problems.empty());
  CHECK(list.problems[0].message().find("threads of task") != std::string::npos);
  // The other processes are still listed.
  CHECK(list.tasks.size() >= 3);
  CHECK(list.tasks.back().pid == 2);
}

TEST_CASE("tasks: the walk stops at the limit") {
  Guest g = three_tasks();
  LinearTranslator tr;
  VirtualMemory vm(g.mem, tr);
  TaskList list = read_tasks(vm, g.l, va(0x1000), 2);
  CHECK(list.tasks.size() <= 2);
  CHECK(!list.problems.empty());
}

TEST_CASE("tasks: state letters as fs/proc/array.c prints them") {
  Task t;
  auto letter = [&](uint64_t state, uint32_t exit_state = 0) {
    t.state = state;
    t.exit_state = exit_state;
    return t.state_letter();
  };
  CHECK(letter(0) == 'R');
  CHECK(letter(1) == 'S');
  CHECK(letter(2) == 'D');
  CHECK(letter(4) == 'T');
  CHECK(letter(8) == 't');
  CHECK(letter(0, 0x10) == 'X');
  CHECK(letter(0, 0x20) == 'Z');
  CHECK(letter(0x40) == 'P');
  CHECK(letter(0x402) == 'I');   // TASK_IDLE
  CHECK(letter(0x8001) == 'D');  // TASK_FROZEN reads as uninterruptible
}
