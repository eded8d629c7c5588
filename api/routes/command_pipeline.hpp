// The one pipeline every command of the HTTP contract goes through (docs/api.md "Commands"):
//
//   1. the router has authenticated the principal and checked the route's roles;
//   2. path ids are checked, the JSON body is decoded once (415, 400) and read field by field with
//      BodyFields: wrong types, bad ids, impossible dates and unknown fields answer 400 with
//      errors:[{field, message}];
//   3. occurred_at and on_behalf_of are accepted from the secretariat only (403 otherwise);
//   4. object-level authorization: a state or stakeholder principal acts only for its own
//      stakeholder id, a working_group principal only for its own group (CommandCall::ActFor...);
//   5. the command goes to app::Executor (app/execute.hpp), the one path of every command:
//      Idempotency-Key replay (200 with the original response; the key with another request ->
//      409), the target loaded from the read models, If-Match (409 version_conflict, nothing
//      decided), the workflows' Decide, the append with the versions loaded as expectations and
//      the retries after a lost race, the read models caught up after the append;
//   6. its Executed becomes the response: 201 {"stream","version","position","events":[...]}
//      with ETag "<version>", 200 for a replay, or a problem through api/http/problem.hpp.
//
// Steps 1 to 4 and every try run on the thread that read the request (an io thread of the
// server); the append is asynchronous (EventStore::AppendAsync), and once it is durable the
// store's completion posts the rest (a retry, or step 6) back to that connection's thread: no
// thread waits on the disk.
//
// Everything here is thread-safe: one CommandCall lives within one request.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

#include "api/http/auth.hpp"
#include "api/http/http_types.hpp"
#include "api/http/problem.hpp"
#include "api/http/router.hpp"
#include "api/routes/routes.hpp"
#include "app/execute.hpp"
#include "app/prepare.hpp"
#include "engine/event_store.hpp"
#include "engine/result.hpp"
#include "workflows/context.hpp"
#include "workflows/events.hpp"
#include "workflows/values.hpp"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace dialogue::api {

// The longest Idempotency-Key accepted (visible ASCII only).
inline constexpr size_t kMaxIdempotencyKeyLength = 200;

// The longest string field (bytes of UTF-8): the longest texts (summaries, reports) are far
// shorter; anything longer within the 1 MiB body limit is refused (400).
inline constexpr size_t kMaxTextBytes = 256 * 1024;
// The most items of a list or members of an object field.
inline constexpr size_t kMaxListItems = 1000;
// A refusal lists at most this many field errors (the detail gives the count of all).
inline constexpr size_t kMaxFieldErrors = 20;

// Reads a command's JSON body (an object) field by field, collecting every problem. Each
// accessor marks its field as known; Finish() then refuses the fields nobody read (typos such as
// "stakeholdres" are refused, never ignored). A JSON null counts as absent. Accessors return a
// neutral value ("" / 0 / false / {}) when the field is missing or bad; the error is recorded.
class BodyFields {
 public:
  explicit BodyFields(const nlohmann::json& body);

  bool Has(std::string_view name) const;  // present and not null

  // A required string (may be blank: the deciders judge blank texts). Strings are at most
  // kMaxTextBytes and hold no control characters but tab, line feed and carriage return.
  std::string String(std::string_view name);
  std::optional<std::string> OptionalString(std::string_view name);
  // A required id (^[a-z0-9][a-z0-9._-]{0,63}$).
  std::string Id(std::string_view name);
  std::optional<std::string> OptionalId(std::string_view name);
  // A required calendar date "YYYY-MM-DD" that exists (2026-02-30 does not). Returned as given.
  std::string CalendarDate(std::string_view name);
  // An optional instant (RFC 3339).
  std::optional<workflows::TimePoint> OptionalInstant(std::string_view name);
  // A list of ids; `required` false: absent is the empty list.
  std::vector<std::string> IdList(std::string_view name, bool required = true);
  bool Bool(std::string_view name);
  std::optional<bool> OptionalBool(std::string_view name);
  double Number(std::string_view name);
  // An object of string values, in key order ({"tip":"signatory"}).
  std::vector<std::pair<std::string, std::string>> OptionalStringMap(std::string_view name);
  // A member `inner` (string) of an optional object `name`:
  // override_country_mentions.justification. Other members of the object are refused like unknown
  // fields.
  std::optional<std::string> OptionalNestedString(std::string_view name, std::string_view inner);

  // Records a problem with a field (for checks the accessors cannot make).
  void Invalid(std::string field, std::string message);

  // Refuses the unknown fields; the 400 response when anything was wrong, else nullopt.
  std::optional<HttpResponse> Finish();

 private:
  const nlohmann::json* Find(std::string_view name);  // marks it read; nullptr when absent/null
  const nlohmann::json& body_;
  std::set<std::string, std::less<>> read_;
  std::vector<FieldError> errors_;  // the first kMaxFieldErrors
  std::set<std::string, std::less<>> error_fields_;
  size_t error_count_ = 0;
};

// Counters of the commands (by type and outcome) and of the events appended (by type), in the
// server's registry. Thread-safe.
class CommandMetrics {
 public:
  explicit CommandMetrics(prometheus::Registry& registry);
  ~CommandMetrics();
  CommandMetrics(const CommandMetrics&) = delete;
  CommandMetrics& operator=(const CommandMetrics&) = delete;

  // outcome: "created", "replayed", "refused", "conflict", "failed".
  void CountCommand(std::string_view command, std::string_view outcome);
  void CountEvents(const std::vector<engine::RecordedEvent>& events);
  // How many times a command was decided again after a concurrent writer won (none: no-op).
  void CountRetries(std::string_view command, int retries);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A command route: its metrics label, the roles that may call it (in the order the acting role
// is chosen: the first the principal holds), the path parameters that are ids (or referral ids)
// and the path parameter naming the stakeholder whose act this is (empty when none).
struct CommandSpec {
  std::string_view name;  // "ConfirmAttendance"
  std::vector<std::string_view> roles;
  std::vector<std::string_view> path_ids;
  std::string_view acting_stakeholder_param;
  std::vector<std::string_view> path_referral_ids;
};

// A referral id "<briefing id>.<stakeholder id>": two ids joined by a dot.
bool IsValidReferralId(std::string_view id);

// Everything the command routes share: the handlers' context and the command metrics.
struct CommandEnvironment {
  explicit CommandEnvironment(ApiContext& context)
      : api(context),
        metrics(context.metrics.registry()),
        executor(context.store, context.read_models) {}
  ApiContext& api;
  CommandMetrics metrics;
  app::Executor executor;
};

// What a route's handler returns: the preparer of its command (CommandCall::Run), or the response
// that refuses the request.
using CommandPlan = tl::expected<app::Preparer, HttpResponse>;

// Registers `pattern` for POST with the spec's roles; handler builds the command from the call.
class CommandCall;
using CommandHandler = std::function<CommandPlan(CommandCall& call)>;
// The route keeps the environment alive.
void AddCommandRoute(Router& router, std::shared_ptr<CommandEnvironment> environment,
                     std::string pattern, CommandSpec spec, CommandHandler handler);

// One command request on its way through the pipeline.
class CommandCall {
 public:
  // Steps 2 and 3, and the path half of step 4: checks the path ids (400), that a state or
  // stakeholder principal acts for the stakeholder the path names (403), decodes the body (415,
  // 400), reads note, occurred_at and on_behalf_of (403 from another role than the secretariat;
  // 400 for an occurred_at in the future) and the Idempotency-Key and If-Match headers (400 when
  // malformed). On refusal, the response to send.
  static tl::expected<CommandCall, HttpResponse> Begin(CommandEnvironment& environment,
                                                       const RequestContext& request,
                                                       const CommandSpec& spec);

  BodyFields& body() { return *body_; }
  // REQUIRES: the route's handler is running (the request is gone once it returns).
  const std::string& Param(const std::string& name) const { return request_->Param(name); }
  const Principal& principal() const { return principal_; }
  workflows::Role role() const { return context_.role; }
  bool is_secretariat() const { return context_.role == workflows::Role::kSecretariat; }
  // The context the deciders will see (facts are filled per try by the preparer).
  workflows::Context& context() { return context_; }
  const ApiContext& api() const { return environment_->api; }

  // 403 unless the principal may act for `stakeholder`: the secretariat may (and the context then
  // names that stakeholder); state and stakeholder principals only for their own id.
  std::optional<HttpResponse> ActForStakeholder(const std::string& stakeholder,
                                                std::string_view action);
  // 403 unless the principal may act for Working Group `working_group`: the secretariat may (the
  // context then names that group); a working_group principal only for its own group.
  std::optional<HttpResponse> ActForWorkingGroup(const std::string& working_group,
                                                 std::string_view action);

  // The plan of a command whose fields are all read: the 400 refusing the body's unknown or bad
  // fields, else its preparer (app::Prepare: what it is decided on, who may reach it), which
  // Continue executes (steps 5 and 6).
  template <class Command>
  CommandPlan Run(Command command) {
    return Plan(app::Prepare(api().read_models, std::move(command)));
  }

  // Called with what the route's handler returned: answers its refusal, or executes it.
  static void Continue(CommandCall call, CommandPlan plan, Responder responder);

 private:
  CommandCall() = default;
  CommandPlan Plan(app::Preparer prepare);
  // The response to what the executor returned.
  HttpResponse Answer(const app::Executed& executed);
  // 200 or 201 with the events appended.
  HttpResponse AnswerAppended(int status, const engine::AppendResult& result,
                              std::string_view outcome);
  HttpResponse Refuse(const engine::Error& error, std::string_view outcome);

  CommandEnvironment* environment_ = nullptr;
  const RequestContext* request_ = nullptr;  // while the route's handler runs
  Principal principal_;
  std::string_view name_;
  std::shared_ptr<nlohmann::json> body_json_;
  std::shared_ptr<BodyFields> body_;
  workflows::Context context_;
  std::optional<engine::IdempotencyKey> idempotency_;
  std::optional<uint64_t> if_match_;
  bool occurred_at_given_ = false;  // the body's occurred_at, not the server's clock
};

// "If-Match: \"4\"" -> 4; nullopt when the header is not one quoted (or bare) version number.
std::optional<uint64_t> ParseIfMatch(std::string_view value);

// The key under which an actor's Idempotency-Key is stored (keys of different actors never meet).
std::string NamespacedIdempotencyKey(std::string_view actor, std::string_view key);

// SHA-256 of the method, path, actor and body of a request, as lower-case hex.
std::string RequestFingerprint(std::string_view method, std::string_view path,
                               std::string_view actor, std::string_view body);

}  // namespace dialogue::api
