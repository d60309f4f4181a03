// Where page_owner records come from, behind one interface: the debugfs text
// reader today (page_owner_text.h), the dump decoder later. Analysis code
// (ramsift top) takes a PageOwnerSource& and never knows which.
//
//   PageOwnerRecord r;               // reused: next() overwrites every field
//   while (source.next(r)) ...
//   source.problems();               // records that could not be read, each named
#pragma once

#include <vector>

#include "ramsift/base/error.h"
#include "ramsift/decode/page_owner.h"

namespace ramsift {

class PageOwnerSource {
 public:
  virtual ~PageOwnerSource() = default;
  // The next record, overwriting every field of `record`; false at the end.
  // Unreadable records are skipped and added to problems().
  virtual bool next(PageOwnerRecord& record) = 0;
  // How the kernel that produced the records prints them in debugfs.
  virtual PageOwnerTextFormat text_format() const = 0;
  virtual const std::vector<Error>& problems() const = 0;
};

}  // namespace ramsift
