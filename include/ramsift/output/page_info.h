// `ramsift page`: one page frame and its page_owner story, and `--handle`:
// one stack depot record. The text form starts with crash's `kmem -p` line
// (PAGE PHYSICAL MAPPING INDEX CNT FLAGS), then one labelled fact a line;
// JSON has the same facts as one object.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ramsift/analysis/page_story.h"
#include "ramsift/output/dump_info.h"

namespace ramsift {

void print_page_report(const PageReport& report, OutputFormat format, std::ostream& out);
// --format json: one document for every address given, those that failed
// in "errors" ({code, message, address}; docs/schema.json "ramsift.page").
void print_page_reports_json(const std::vector<PageReport>& reports, const std::vector<Error>& errors,
                             std::ostream& out);

// tell_pages()'s report: text, each page's report after a blank line; json,
// print_page_reports_json().
void print_pages(const PagesReport& report, OutputFormat format, std::ostream& out);

void print_stack_record(const StackRecordReport& report, OutputFormat format, std::ostream& out);

}  // namespace ramsift
