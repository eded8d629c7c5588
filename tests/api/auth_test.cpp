#include <catch2/catch.hpp>

#include "api/http/auth.hpp"
#include "tests/api/test_support.hpp"

namespace dialogue::api {
namespace {

TEST_CASE("Sha256Hex matches the standard test vector", "[auth]") {
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("A known bearer token authenticates as its principal", "[auth]") {
  auto registry = TokenRegistry::Parse(testing::TokensJson());
  REQUIRE(registry);
  CHECK(registry->size() == 3);

  auto principal = registry->Authenticate(std::string("Bearer ") + testing::kStakeholderToken);
  REQUIRE(principal);
  CHECK(principal->actor == "ngo-a-rep");
  CHECK(principal->roles == std::vector<std::string>{"stakeholder"});
  CHECK(principal->stakeholder == "ngo-a");
  CHECK(principal->working_group.empty());
  CHECK(HasRole(*principal, kRoleStakeholder));
  CHECK_FALSE(HasRole(*principal, kRoleSecretariat));
  CHECK_FALSE(HasAnyRole(*principal, kLogReaders));

  // The scheme is case-insensitive.
  CHECK(registry->Authenticate(std::string("bearer ") + testing::kSecretariatToken));
}

TEST_CASE("Unknown or malformed credentials do not authenticate", "[auth]") {
  auto registry = TokenRegistry::Parse(testing::TokensJson());
  REQUIRE(registry);
  CHECK_FALSE(registry->Authenticate("Bearer not-a-token"));
  CHECK_FALSE(registry->Authenticate(std::string("Basic ") + testing::kSecretariatToken));
  CHECK_FALSE(registry->Authenticate(testing::kSecretariatToken));
  CHECK_FALSE(registry->Authenticate("Bearer "));
  CHECK_FALSE(registry->Authenticate(""));
  // The hash itself is not a token.
  CHECK_FALSE(registry->Authenticate("Bearer " + Sha256Hex(testing::kSecretariatToken)));
}

TEST_CASE("Upper-case hex in the tokens file is accepted", "[auth]") {
  std::string hash = Sha256Hex("t");
  for (char& c : hash) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto registry = TokenRegistry::Parse(R"({"tokens":[{"token_sha256":")" + hash +
                                       R"(","actor":"a","roles":["auditor"]}]})");
  REQUIRE(registry);
  CHECK(registry->Authenticate("Bearer t"));
}

TEST_CASE("A malformed tokens file is refused with the entry named", "[auth]") {
  const std::string hash = Sha256Hex("t");
  const auto parse_error = [](const std::string& text) {
    auto registry = TokenRegistry::Parse(text);
    REQUIRE_FALSE(registry);
    CHECK(registry.error().code == engine::ErrorCode::kInvalidArgument);
    return registry.error().message;
  };
  CHECK_THAT(parse_error("not json"), Catch::Contains("not a JSON object"));
  CHECK_THAT(parse_error("{}"), Catch::Contains("tokens"));
  CHECK_THAT(parse_error(R"({"tokens":[{"token_sha256":"abc","actor":"a","roles":["auditor"]}]})"),
             Catch::Contains("tokens[0]") && Catch::Contains("64 hex"));
  CHECK_THAT(parse_error(R"({"tokens":[{"token_sha256":")" + hash + R"(","roles":["auditor"]}]})"),
             Catch::Contains("actor"));
  CHECK_THAT(parse_error(R"({"tokens":[{"token_sha256":")" + hash +
                         R"(","actor":"a","roles":["emperor"]}]})"),
             Catch::Contains("unknown role"));
  CHECK_THAT(parse_error(R"({"tokens":[{"token_sha256":")" + hash +
                         R"(","actor":"a","roles":["working_group"]}]})"),
             Catch::Contains("working_group"));
  CHECK_THAT(parse_error(R"({"tokens":[{"token_sha256":")" + hash +
                         R"(","actor":"a","roles":["state"]}]})"),
             Catch::Contains("stakeholder"));
  const std::string entry = R"({"token_sha256":")" + hash + R"(","actor":"a","roles":["auditor"]})";
  CHECK_THAT(parse_error(R"({"tokens":[)" + entry + "," + entry + "]}"),
             Catch::Contains("tokens[1]") && Catch::Contains("duplicate"));
}

TEST_CASE("A working group token carries its group", "[auth]") {
  auto registry = TokenRegistry::Parse(R"({"tokens":[{"token_sha256":")" + Sha256Hex("wg") +
                                       R"(","actor":"wg-chair","roles":["working_group"],)"
                                       R"("working_group":"wg-tip"}]})");
  REQUIRE(registry);
  auto principal = registry->Authenticate("Bearer wg");
  REQUIRE(principal);
  CHECK(principal->working_group == "wg-tip");
  CHECK(HasAnyRole(*principal, kLogReaders));
}

TEST_CASE("A missing tokens file is an error naming it", "[auth]") {
  auto registry = TokenRegistry::LoadFile("/nonexistent/tokens.json");
  REQUIRE_FALSE(registry);
  CHECK_THAT(registry.error().message, Catch::Contains("/nonexistent/tokens.json"));
}

}  // namespace
}  // namespace dialogue::api
