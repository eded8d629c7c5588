// The store's database opened directly with RocksDB, as an older version or a disk fault would
// leave it: for the engine tests that alter what the store wrote.
#pragma once

#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

namespace dialogue::engine::testing {

class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const std::string& name : names)
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), path, families, &handles, &db_).ok());
    for (size_t i = 0; i < names.size(); ++i) handles_[names[i]] = handles[i];
  }
  ~RawDb() {
    for (auto& [name, handle] : handles_)
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    delete db_;
  }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  rocksdb::DB* operator->() { return db_; }
  rocksdb::ColumnFamilyHandle* family(const std::string& name) { return handles_.at(name); }

 private:
  rocksdb::DB* db_ = nullptr;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace dialogue::engine::testing
