#include "ramsift/output/flamegraph.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <vector>

#include "ramsift/output/dump_info.h"

namespace ramsift {

namespace {

constexpr std::string_view kNoStack = "(no stack)";

struct Node {
  std::string name;
  uint64_t pages = 0;
  std::map<std::string, uint64_t> category_pages;
  std::map<std::string, std::unique_ptr<Node>> children;  // by name: a stable, readable order
};

void add_path(Node& root, const FlameStack& s) {
  Node* n = &root;
  auto add = [&](Node& node) {
    node.pages += s.pages;
    for (const auto& [c, p] : s.category_pages) node.category_pages[c] += p;
  };
  add(root);
  std::vector<std::string> frames = s.frames;
  if (frames.empty()) frames.emplace_back(kNoStack);
  for (const std::string& f : frames) {
    auto& child = n->children[f];
    if (!child) {
      child = std::make_unique<Node>();
      child->name = f;
    }
    n = child.get();
    add(*n);
  }
}

size_t depth_of(const Node& n) {
  size_t d = 0;
  for (const auto& [name, c] : n.children) d = std::max(d, depth_of(*c) + 1);
  return d;
}

void escape_xml(std::ostream& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&': out << "&amp;"; break;
      case '<': out << "&lt;"; break;
      case '>': out << "&gt;"; break;
      case '"': out << "&quot;"; break;
      case '\'': out << "&apos;"; break;
      default: out << c;
    }
  }
}

uint32_t fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
  return h;
}

std::string rgb(unsigned r, unsigned g, unsigned b) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", r & 255, g & 255, b & 255);
  return buf;
}

// HSV with s, v in [0,1], h in [0,360).
std::string hsv(double h, double s, double v) {
  double c = v * s, x = c * (1 - std::abs(std::fmod(h / 60.0, 2) - 1)), m = v - c;
  double r = 0, g = 0, b = 0;
  if (h < 60)
    r = c, g = x;
  else if (h < 120)
    r = x, g = c;
  else if (h < 180)
    g = c, b = x;
  else if (h < 240)
    g = x, b = c;
  else if (h < 300)
    r = x, b = c;
  else
    r = c, b = x;
  auto u = [&](double v8) { return static_cast<unsigned>((v8 + m) * 255 + 0.5); };
  return rgb(u(r), u(g), u(b));
}

std::string_view module_of_frame(std::string_view name) {
  if (name.empty() || name.back() != ']') return "vmlinux";
  size_t open = name.rfind(" [");
  return open == std::string_view::npos ? "vmlinux" : name.substr(open + 2, name.size() - open - 3);
}

std::string dominant_category(const Node& n) {
  std::string best;
  uint64_t most = 0;
  for (const auto& [c, p] : n.category_pages)
    if (p > most) best = c, most = p;
  return best;
}

// The kernel itself in flamegraph.pl's warm colours; each module, or each
// category, its own hue; the function name varies the shade a little so
// neighbours stay apart.
std::string color_of(const Node& n, const std::string& group, FlameColor mode) {
  double shade = (fnv1a(n.name) % 1000) / 1000.0;
  if (n.name == "all") return "#d8d8d8";
  if (mode == FlameColor::Module && group == "vmlinux") return hsv(10 + 40 * shade, 0.7, 0.95);
  if (group == "other") return hsv(0, 0, 0.72 + 0.1 * shade);
  double hue = (fnv1a(group) % 360);
  return hsv(hue, 0.45 + 0.15 * shade, 0.85);
}

struct Writer {
  const FlameSvgOptions& o;
  std::ostream& out;
  double scale;   // pixels per page
  double bottom;  // y of the root's bottom edge
  double xpad = 10;
  uint64_t total;
  size_t next_id = 0;
  // group -> pages of the frames where a stack enters the group (a module's
  // function called from vmlinux): every group that holds pages is listed,
  // not only the groups of leaf frames (the allocator, nearly always vmlinux).
  std::map<std::string, uint64_t> legend;

  std::string group_of(const Node& n) const {
    return o.color == FlameColor::Module ? std::string(module_of_frame(n.name)) : dominant_category(n);
  }

  void frame(const Node& n, double x, size_t depth, size_t parent, const std::string& parent_group) {
    double w = static_cast<double>(n.pages) * scale;
    if (w < o.min_frame_width) return;
    size_t id = next_id++;
    double y = bottom - static_cast<double>(depth + 1) * o.frame_height;
    std::string group = group_of(n);
    double percent = total ? 100.0 * static_cast<double>(n.pages) / static_cast<double>(total) : 0;
    char nums[160];
    out << "<g class=\"f\" id=\"f" << id << "\"";
    if (depth) out << " data-parent=\"f" << parent << "\"";
    out << " data-name=\"";
    escape_xml(out, n.name);
    out << "\" data-pages=\"" << n.pages << "\" data-depth=\"" << depth << "\" data-group=\"";
    escape_xml(out, group);
    std::snprintf(nums, sizeof nums, "\" data-x=\"%.3f\" data-w=\"%.3f\">", x, w);
    out << nums << "<title>";
    escape_xml(out, n.name);
    std::snprintf(nums, sizeof nums, " (%llu pages, %s, %.2f%%)", static_cast<unsigned long long>(n.pages),
                  human_size(n.pages * o.page_size).c_str(), percent);
    out << nums;
    if (!group.empty() && n.name != "all") {
      out << (o.color == FlameColor::Module ? " module " : " category ");
      escape_xml(out, group);
    }
    std::snprintf(nums, sizeof nums, "</title><rect x=\"%.3f\" y=\"%.1f\" width=\"%.3f\" height=\"%.1f\" fill=\"", x, y,
                  w, o.frame_height - 1);
    out << nums << color_of(n, group, o.color) << "\" rx=\"2\"/>";
    std::snprintf(nums, sizeof nums, "<text x=\"%.3f\" y=\"%.1f\">", x + 3, y + o.frame_height - 4.5);
    out << nums;
    // About 7 px per character at 12 px: what fits, else cut with "..".
    size_t fits = static_cast<size_t>((w - 6) / 7);
    if (fits >= 3) escape_xml(out, n.name.size() <= fits ? n.name : n.name.substr(0, fits - 2) + "..");
    out << "</text></g>\n";
    if (depth && group != parent_group) legend[group] += n.pages;
    double cx = x;
    for (const auto& [name, c] : n.children) {
      frame(*c, cx, depth + 1, id, depth ? group : std::string());  // the root is in no group
      cx += static_cast<double>(c->pages) * scale;
    }
  }
};

// Zoom: the clicked frame fills the width, its descendants scale with it,
// its ancestors span the width (faded), everything else is hidden.
constexpr std::string_view kScript = R"js(
var svgW = WIDTH, pad = 10, charW = 7;
function frames() { return document.querySelectorAll("g.f"); }
function place(g, x, w) {
  var r = g.querySelector("rect"), t = g.querySelector("text"), name = g.getAttribute("data-name");
  r.setAttribute("x", x.toFixed(3)); r.setAttribute("width", w.toFixed(3));
  t.setAttribute("x", (x + 3).toFixed(3));
  var fits = Math.floor((w - 6) / charW);
  t.textContent = fits < 3 ? "" : (name.length <= fits ? name : name.substring(0, fits - 2) + "..");
}
function zoom(g) {
  var zx = +g.getAttribute("data-x"), zw = +g.getAttribute("data-w"), zd = +g.getAttribute("data-depth");
  var k = (svgW - 2 * pad) / zw;
  frames().forEach(function (f) {
    var x = +f.getAttribute("data-x"), w = +f.getAttribute("data-w"), d = +f.getAttribute("data-depth");
    var inside = x >= zx - 1e-6 && x + w <= zx + zw + 1e-6;
    var above = d < zd && x <= zx + 1e-6 && x + w >= zx + zw - 1e-6;
    f.style.display = inside && d >= zd || above ? "" : "none";
    f.style.opacity = above ? "0.5" : "";
    if (inside && d >= zd) place(f, pad + (x - zx) * k, w * k);
    else if (above) place(f, pad, svgW - 2 * pad);
  });
}
function reset() {
  frames().forEach(function (f) {
    f.style.display = ""; f.style.opacity = "";
    place(f, +f.getAttribute("data-x"), +f.getAttribute("data-w"));
  });
}
document.addEventListener("click", function (e) {
  var g = e.target.closest ? e.target.closest("g.f") : null;
  if (!g) return;
  if (g.getAttribute("data-depth") === "0") reset(); else zoom(g);
});
document.addEventListener("mouseover", function (e) {
  var g = e.target.closest ? e.target.closest("g.f") : null;
  if (g) document.getElementById("details").textContent = g.querySelector("title").textContent;
});
document.addEventListener("keydown", function (e) { if (e.key === "Escape") reset(); });
)js";

}  // namespace

void print_folded(const FlameStacks& stacks, std::ostream& out) {
  for (const FlameStack& s : stacks.stacks) {
    if (s.frames.empty()) out << kNoStack;
    for (size_t i = 0; i < s.frames.size(); ++i) out << (i ? ";" : "") << s.frames[i];
    out << ' ' << s.pages << '\n';
  }
}

void print_flamegraph_svg(const FlameStacks& stacks, const FlameSvgOptions& o, std::ostream& out) {
  Node root;
  root.name = "all";
  for (const FlameStack& s : stacks.stacks) add_path(root, s);
  size_t depth = depth_of(root) + 1;
  const double xpad = 10, top = 44, below = 30;
  double height = top + static_cast<double>(depth) * o.frame_height + below;
  Writer w{o,
           out,
           root.pages ? (o.width - 2 * xpad) / static_cast<double>(root.pages) : 0,
           top + static_cast<double>(depth) * o.frame_height,
           xpad,
           root.pages};
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                "viewBox=\"0 0 %.0f %.0f\">\n",
                o.width, height, o.width, height);
  out << "<?xml version=\"1.0\" standalone=\"no\"?>\n" << buf;
  out << "<style>text { font-family: monospace; font-size: 12px; fill: #000; pointer-events: none; }\n"
         "g.f { cursor: pointer; } g.f:hover rect { stroke: #000; stroke-width: 0.5; }\n"
         "#title { font-size: 17px; } #details, .legend { font-size: 12px; }</style>\n";
  std::string script(kScript);
  std::snprintf(buf, sizeof buf, "%.0f", o.width);
  script.replace(script.find("WIDTH"), 5, buf);
  out << "<script><![CDATA[" << script << "]]></script>\n";
  out << "<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#fafafa\"/>\n";
  std::snprintf(buf, sizeof buf, "<text id=\"title\" x=\"%.1f\" y=\"22\" text-anchor=\"middle\">", o.width / 2);
  out << buf;
  escape_xml(out, o.title);
  out << "</text>\n";
  std::snprintf(buf, sizeof buf, "<text id=\"details\" x=\"%.1f\" y=\"%.1f\">", xpad, height - 10);
  out << buf;
  std::snprintf(buf, sizeof buf, "%llu pages (%s) in %llu records; click a frame to zoom, Escape to reset",
                static_cast<unsigned long long>(root.pages), human_size(root.pages * o.page_size).c_str(),
                static_cast<unsigned long long>(stacks.matched_records));
  out << buf << "</text>\n";
  w.frame(root, xpad, 0, 0, {});
  // Legend: the biggest colour groups by the pages that enter them.
  std::vector<std::pair<std::string, uint64_t>> groups(w.legend.begin(), w.legend.end());
  std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  double lx = xpad;
  for (size_t i = 0; i < groups.size() && i < 8; ++i) {
    Node probe;
    probe.name = groups[i].first;
    std::snprintf(buf, sizeof buf, "<rect x=\"%.1f\" y=\"30\" width=\"10\" height=\"10\" fill=\"", lx);
    out << buf << color_of(probe, groups[i].first, o.color) << "\"/>";
    std::snprintf(buf, sizeof buf, "<text class=\"legend\" x=\"%.1f\" y=\"39\">", lx + 13);
    out << buf;
    escape_xml(out, groups[i].first);
    out << "</text>\n";
    lx += 13 + 7.0 * static_cast<double>(groups[i].first.size()) + 14;
  }
  out << "</svg>\n";
}

}  // namespace ramsift
