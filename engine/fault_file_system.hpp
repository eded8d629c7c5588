// The RocksDB side of FileFaults (engine/file_faults.hpp): an Env whose file system fails the
// write-ahead log's appends or syncs while a fault is armed. Private to the engine.
#pragma once

#include <memory>

#include "engine/file_faults.hpp"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace dialogue::engine {

// An Env over the default one whose write-ahead log files (NNNNNN.log) obey faults. The Env must
// outlive every database opened with it.
std::unique_ptr<rocksdb::Env> NewFaultInjectingEnv(std::shared_ptr<FileFaults> faults);

}  // namespace dialogue::engine
