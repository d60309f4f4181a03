// ramsift flamegraph INPUT [-o FILE] [--folded] [--color module|category]
#include "ramsift/output/flamegraph.h"

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "filter_options.h"
#include "ramsift/base/output_file.h"
#include "records.h"
#include "report_commands.h"

namespace ramsift::cli {

namespace {

struct FlamegraphCommand {
  RecordsOptions input;
  FilterOptionsText filters;
  std::string output;
  bool folded = false;
  std::string color = "module";
  std::string title;
  std::optional<uint64_t> page_size;
};

}  // namespace

void add_flamegraph(CLI::App& app, Context& context) {
  auto c = std::make_shared<FlamegraphCommand>();
  CLI::App* cmd = app.add_subcommand(
      "flamegraph", "Allocation stacks weighted by pages: an interactive SVG, or folded stacks (--folded)");
  add_records_options(*cmd, c->input);
  cmd->add_option("-o,--output", c->output, "Write to FILE instead of stdout");
  cmd->add_flag("--folded", c->folded,
                "Print folded stacks (root first, frames joined by ';', then the pages) for flamegraph.pl, "
                "speedscope, inferno");
  cmd->add_option("--color", c->color, "Colour the SVG's frames by module or category")
      ->check(CLI::IsMember({"module", "category"}));
  cmd->add_option("--title", c->title, "The SVG's title");
  add_page_size_option(*cmd, c->page_size);
  add_filter_options(*cmd, c->filters, /*process_lists=*/true);
  cmd->callback([c, &context] {
    FlameOptions options;
    std::unique_ptr<CategoryRules> rules;
    if (!load_categories(c->filters, rules, context)) return;
    options.categories = rules.get();
    auto filter = make_filter(c->filters, c->input, context);
    if (!filter) return;
    options.filter = std::move(*filter);
    auto records = open_records(c->input, context);
    if (!records) return;
    std::optional<uint64_t> page_size;
    if (!c->folded && !(page_size = page_size_for(*records, c->page_size, context))) return;
    auto stacks = collect_flame_stacks(records->source(), options);
    if (!stacks) return fail(context, stacks.error());
    std::ofstream file;
    std::optional<OutputFile> target;
    if (!c->output.empty()) {
      auto created = OutputFile::create(c->output, c->input.inputs);
      if (!created) return fail(context, created.error());
      target.emplace(std::move(*created));
      file.open(target->temp_path(), std::ios::binary | std::ios::trunc);
      if (!file) return fail(context, io_error("cannot write the output file").in_file(c->output));
    }
    std::ostream& out = c->output.empty() ? std::cout : file;
    if (c->folded) {
      print_folded(*stacks, out);
    } else {
      FlameSvgOptions svg;
      svg.color = c->color == "category" ? FlameColor::Category : FlameColor::Module;
      svg.page_size = *page_size;
      svg.title = c->title.empty() ? "page_owner: " + records->describe() : c->title;
      print_flamegraph_svg(*stacks, svg, out);
    }
    out.flush();
    if (target) file.close();
    if (!out) return fail(context, io_error("write failed").in_file(c->output.empty() ? "<stdout>" : c->output));
    if (target)
      if (auto done = target->commit(); !done) return fail(context, done.error());
    finish_records(*records, context);
  });
}

}  // namespace ramsift::cli
