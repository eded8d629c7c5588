#include "engine/event_store.hpp"

namespace dialogue::engine {
namespace {

Error BeyondHead(uint64_t size, uint64_t head) {
  return Error::InvalidArgument("tree size " + std::to_string(size) + " is beyond the head (" +
                                std::to_string(head) + ")");
}

}  // namespace

Result<merkle::Hash> EventStore::TreeRoot(uint64_t size) const {
  const uint64_t head = HeadPosition();
  if (size > head) return Fail(BeyondHead(size, head));
  return merkle::RootAt(size, NewTreeReader());
}

Result<std::vector<merkle::Hash>> EventStore::InclusionProof(uint64_t position, uint64_t size,
                                                             merkle::Hash* leaf) const {
  const uint64_t head = HeadPosition();
  if (size > head) return Fail(BeyondHead(size, head));
  if (position == 0 || position > size) {
    return Fail(Error::InvalidArgument("position " + std::to_string(position) +
                                       " is not in the tree of size " + std::to_string(size)));
  }
  const merkle::NodeReader read = NewTreeReader();  // the leaf's block is the proof's too
  if (leaf != nullptr) {
    ASSIGN_OR_RETURN(*leaf, read(0, position - 1));
  }
  return merkle::InclusionProof(position - 1, size, read);
}

Result<std::vector<merkle::Hash>> EventStore::ConsistencyProof(uint64_t from, uint64_t to) const {
  const uint64_t head = HeadPosition();
  if (to > head) return Fail(BeyondHead(to, head));
  return merkle::ConsistencyProof(from, to, NewTreeReader());
}

}  // namespace dialogue::engine
