#include "ramsift/analysis/page_owner_listing.h"

#include "ramsift/symbolize/dump_records.h"

namespace ramsift {

namespace {

struct ListingChunk : ChunkedWalk::Chunk {
  std::unique_ptr<ChunkedWalk::Chunk> inner;
  uint64_t walked = 0, records = 0, pages = 0;
};

PageOwnerListing list_chunked(RecordsInput& input, DumpRecords& dump, const RecordFilter& filter,
                              const ChunkedSink& chunked, const WalkProgress& progress) {
  PageOwnerListing listing;
  ChunkedWalk walk(
      dump, dump.threads(),
      [&] {
        auto c = std::make_unique<ListingChunk>();
        c->inner = chunked.make();
        return c;
      },
      [&](ChunkedWalk::Chunk& chunk, PageOwnerRecord& r) {  // on a worker; the filter is thread-safe
        auto& c = static_cast<ListingChunk&>(chunk);
        ++c.walked;
        if (!filter.matches(r)) return;
        chunked.format(*c.inner, r);
        ++c.records;
        c.pages += r.pages();
      });
  while (auto chunk = walk.next()) {
    auto& c = static_cast<ListingChunk&>(*chunk);
    chunked.write(*c.inner);
    input.add_returned(c.walked);
    listing.records += c.records;
    listing.pages += c.pages;
    if (progress) progress(walk.position(), dump.end());
  }
  return listing;
}

}  // namespace

Result<PageOwnerListing> list_page_owner(RecordsInput& input, const PageOwnerRequest& request, const RecordSink& sink,
                                         const WalkProgress& progress, const ChunkedSink* chunked) {
  PageOwnerListing listing;
  DumpRecords* dump = input.dump();
  if (request.stacks) {
    if (!dump) return bad_input("--stacks needs a dump");
    RAMSIFT_TRY(listing.kernel_stacks, kernel_show_stacks(*dump));
    return listing;
  }
  if (request.lines) {
    if (!dump) return bad_input("--lines needs a dump (a text file has no addresses)");
    dump->enable_lines(request.modules_dir);
  }
  if (chunked && dump && !request.lines && dump->threads() != 1)
    return list_chunked(input, *dump, request.filter, *chunked, progress);
  PageOwnerSource& source = input.source();
  PageOwnerRecord r;
  uint64_t seen = 0;
  while (source.next(r)) {
    if (dump && progress && !(++seen & 1023)) progress(dump->position(), dump->end());
    if (!request.filter.matches(r)) continue;
    sink(r);
    ++listing.records;
    listing.pages += r.pages();
  }
  if (dump && dump->lines()) listing.lines_problems = dump->lines()->problems();
  return listing;
}

std::string page_owner_summary(const PageOwnerListing& listing, RecordsInput& input) {
  std::string s = std::to_string(listing.records) + " records, " + std::to_string(listing.pages) + " pages";
  if (DumpRecords* dump = input.dump()) {
    const PageOwnerWalkStats& st = dump->stats();
    s += " (" + std::to_string(st.pfns_visited) + " pfns visited; unreadable: " + std::to_string(st.unreadable_pages) +
         " struct pages, " + std::to_string(st.unreadable_page_ext) + " page_ext entries, " +
         std::to_string(st.bad_handles) + " stack handles)";
    if (st.problems > dump->walker().problems().size())
      s += "; " + std::to_string(st.problems) + " problems, the first " +
           std::to_string(dump->walker().problems().size()) + " shown";
  }
  return s;
}

}  // namespace ramsift
