#include "api/routes/command_pipeline.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <variant>

#include "api/http/json_io.hpp"
#include "api/ops/log.hpp"
#include "engine/event_json.hpp"

namespace dialogue::api {
namespace {

std::string_view JsonTypeName(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::binary:
      return "binary";
    case nlohmann::json::value_t::discarded:
      return "invalid";
    default:
      return "a number";
  }
}

std::string IdMessage() { return "must be an id: ^[a-z0-9][a-z0-9._-]{0,63}$"; }

// A fresh correlation id for the events of one command: 128 random bits in hex.
std::string NewCorrelationId() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int half = 0; half < 2; ++half) {
    uint64_t bits = generator();
    for (int i = 0; i < 16; ++i, bits >>= 4) id.push_back(kHex[bits & 0xF]);
  }
  return id;
}

// A field name as it may be echoed in an answer: at most 100 bytes.
std::string FieldName(std::string_view name) {
  constexpr size_t kMaxFieldName = 100;
  if (name.size() <= kMaxFieldName) return std::string(name);
  return std::string(name.substr(0, kMaxFieldName)) + "...";
}

// Why a string field's value is refused, or nullopt when it is fine.
std::optional<std::string> TextProblem(std::string_view text) {
  if (text.size() > kMaxTextBytes) {
    return "is longer than " + std::to_string(kMaxTextBytes) + " bytes";
  }
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7F) {
      return "holds a control character";
    }
  }
  return std::nullopt;
}

bool IsVisibleAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

HttpResponse BadRequest(std::vector<FieldError> errors, std::string detail) {
  Problem problem = MakeProblem(400, "bad_request", std::move(detail));
  problem.errors = std::move(errors);
  return ProblemResponse(problem);
}

}  // namespace

// --- BodyFields ---

BodyFields::BodyFields(const nlohmann::json& body) : body_(body) {}

bool BodyFields::Has(std::string_view name) const {
  auto it = body_.find(name);
  return it != body_.end() && !it->is_null();
}

const nlohmann::json* BodyFields::Find(std::string_view name) {
  read_.emplace(name);
  auto it = body_.find(name);
  if (it == body_.end() || it->is_null()) return nullptr;
  return &*it;
}

void BodyFields::Invalid(std::string field, std::string message) {
  // One error per field: the first says enough.
  field = FieldName(field);
  if (!error_fields_.insert(field).second) return;
  ++error_count_;
  if (errors_.size() < kMaxFieldErrors) errors_.push_back({std::move(field), std::move(message)});
}

std::optional<std::string> BodyFields::OptionalString(std::string_view name) {
  const nlohmann::json* value = Find(name);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    Invalid(std::string(name), "must be a string, not " + std::string(JsonTypeName(*value)));
    return std::nullopt;
  }
  if (auto problem = TextProblem(value->get_ref<const std::string&>())) {
    Invalid(std::string(name), std::move(*problem));
    return std::nullopt;
  }
  return value->get<std::string>();
}

std::string BodyFields::String(std::string_view name) {
  if (!Has(name)) {
    Find(name);
    Invalid(std::string(name), "is required");
    return {};
  }
  return OptionalString(name).value_or("");
}

std::optional<std::string> BodyFields::OptionalId(std::string_view name) {
  auto text = OptionalString(name);
  if (text && !workflows::IsValidId(*text)) {
    Invalid(std::string(name), IdMessage());
    return std::nullopt;
  }
  return text;
}

std::string BodyFields::Id(std::string_view name) {
  if (!Has(name)) {
    Find(name);
    Invalid(std::string(name), "is required");
    return {};
  }
  return OptionalId(name).value_or("");
}

std::string BodyFields::CalendarDate(std::string_view name) {
  std::string text = String(name);
  if (Has(name) && !text.empty() && !workflows::ParseDate(name, text)) {
    Invalid(std::string(name), "must be a calendar date YYYY-MM-DD that exists");
  } else if (Has(name) && text.empty()) {
    Invalid(std::string(name), "must be a calendar date YYYY-MM-DD");
  }
  return text;
}

std::optional<workflows::TimePoint> BodyFields::OptionalInstant(std::string_view name) {
  auto text = OptionalString(name);
  if (!text) return std::nullopt;
  auto instant = workflows::ParseInstant(*text);
  if (!instant) {
    Invalid(std::string(name), "must be an RFC 3339 instant such as 2026-03-10T09:30:00Z");
    return std::nullopt;
  }
  return *instant;
}

std::vector<std::string> BodyFields::IdList(std::string_view name, bool required) {
  const nlohmann::json* value = Find(name);
  if (value == nullptr) {
    if (required) Invalid(std::string(name), "is required");
    return {};
  }
  if (!value->is_array()) {
    Invalid(std::string(name), "must be an array of ids, not " + std::string(JsonTypeName(*value)));
    return {};
  }
  if (value->size() > kMaxListItems) {
    Invalid(std::string(name), "has more than " + std::to_string(kMaxListItems) + " ids");
    return {};
  }
  std::vector<std::string> ids;
  for (size_t i = 0; i < value->size(); ++i) {
    const nlohmann::json& item = (*value)[i];
    const std::string field = std::string(name) + "[" + std::to_string(i) + "]";
    if (!item.is_string()) {
      Invalid(field, "must be a string id, not " + std::string(JsonTypeName(item)));
      continue;
    }
    std::string id = item.get<std::string>();
    if (!workflows::IsValidId(id)) {
      Invalid(field, IdMessage());
      continue;
    }
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) {
      Invalid(field, "names " + id + " a second time");
      continue;
    }
    ids.push_back(std::move(id));
  }
  return ids;
}

std::optional<bool> BodyFields::OptionalBool(std::string_view name) {
  const nlohmann::json* value = Find(name);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) {
    Invalid(std::string(name), "must be true or false, not " + std::string(JsonTypeName(*value)));
    return std::nullopt;
  }
  return value->get<bool>();
}

bool BodyFields::Bool(std::string_view name) {
  if (!Has(name)) {
    Find(name);
    Invalid(std::string(name), "is required");
    return false;
  }
  return OptionalBool(name).value_or(false);
}

double BodyFields::Number(std::string_view name) {
  const nlohmann::json* value = Find(name);
  if (value == nullptr) {
    Invalid(std::string(name), "is required");
    return 0;
  }
  if (!value->is_number()) {
    Invalid(std::string(name), "must be a number, not " + std::string(JsonTypeName(*value)));
    return 0;
  }
  const double number = value->get<double>();
  if (!std::isfinite(number)) {
    Invalid(std::string(name), "must be a finite number");
    return 0;
  }
  return number;
}

std::vector<std::pair<std::string, std::string>> BodyFields::OptionalStringMap(
    std::string_view name) {
  const nlohmann::json* value = Find(name);
  if (value == nullptr) return {};
  if (!value->is_object()) {
    Invalid(std::string(name), "must be an object, not " + std::string(JsonTypeName(*value)));
    return {};
  }
  if (value->size() > kMaxListItems) {
    Invalid(std::string(name), "has more than " + std::to_string(kMaxListItems) + " members");
    return {};
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  for (auto it = value->begin(); it != value->end(); ++it) {
    if (!it.value().is_string()) {
      Invalid(std::string(name) + "." + it.key(),
              "must be a string, not " + std::string(JsonTypeName(it.value())));
      continue;
    }
    if (auto problem = TextProblem(it.value().get_ref<const std::string&>())) {
      Invalid(std::string(name) + "." + it.key(), std::move(*problem));
      continue;
    }
    pairs.emplace_back(it.key(), it.value().get<std::string>());
  }
  return pairs;
}

std::optional<std::string> BodyFields::OptionalNestedString(std::string_view name,
                                                            std::string_view inner) {
  const nlohmann::json* value = Find(name);
  if (value == nullptr) return std::nullopt;
  const std::string field = std::string(name) + "." + std::string(inner);
  if (!value->is_object()) {
    Invalid(std::string(name), "must be an object {\"" + std::string(inner) + "\": ...}, not " +
                                   std::string(JsonTypeName(*value)));
    return std::nullopt;
  }
  for (auto it = value->begin(); it != value->end(); ++it) {
    if (it.key() != inner) {
      Invalid(std::string(name) + "." + it.key(), "is not a field of " + std::string(name));
    }
  }
  auto it = value->find(inner);
  if (it == value->end() || it->is_null()) {
    Invalid(field, "is required");
    return std::nullopt;
  }
  if (!it->is_string()) {
    Invalid(field, "must be a string, not " + std::string(JsonTypeName(*it)));
    return std::nullopt;
  }
  if (auto problem = TextProblem(it->get_ref<const std::string&>())) {
    Invalid(field, std::move(*problem));
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<HttpResponse> BodyFields::Finish() {
  for (auto it = body_.begin(); it != body_.end(); ++it) {
    if (read_.find(it.key()) == read_.end()) {
      Invalid(it.key(), "is not a field of this command");
    }
  }
  if (errors_.empty()) return std::nullopt;
  std::string detail = "the body has ";
  detail += error_count_ == 1 ? "an invalid field: "
                              : std::to_string(error_count_) + " invalid fields, the first: ";
  detail += errors_.front().field + " " + errors_.front().message;
  return BadRequest(errors_, std::move(detail));
}

// --- CommandMetrics ---

struct CommandMetrics::Impl {
  explicit Impl(prometheus::Registry& registry)
      : commands(prometheus::BuildCounter()
                     .Name("dialogue_commands_total")
                     .Help("Commands answered, by command and outcome (created, replayed, "
                           "refused, conflict, failed)")
                     .Register(registry)),
        events(prometheus::BuildCounter()
                   .Name("dialogue_events_appended_total")
                   .Help("Events appended by commands, by event type")
                   .Register(registry)),
        attempts(prometheus::BuildCounter()
                     .Name("dialogue_command_retries_total")
                     .Help("Commands decided again after a concurrent writer won, by command")
                     .Register(registry)) {}
  prometheus::Family<prometheus::Counter>& commands;
  prometheus::Family<prometheus::Counter>& events;
  prometheus::Family<prometheus::Counter>& attempts;
};

CommandMetrics::CommandMetrics(prometheus::Registry& registry)
    : impl_(std::make_unique<Impl>(registry)) {}

CommandMetrics::~CommandMetrics() = default;

void CommandMetrics::CountCommand(std::string_view command, std::string_view outcome) {
  impl_->commands.Add({{"command", std::string(command)}, {"outcome", std::string(outcome)}})
      .Increment();
}

void CommandMetrics::CountRetries(std::string_view command, int retries) {
  if (retries <= 0) return;
  impl_->attempts.Add({{"command", std::string(command)}}).Increment(retries);
}

void CommandMetrics::CountEvents(const std::vector<engine::RecordedEvent>& events) {
  for (const auto& event : events) impl_->events.Add({{"type", event.type}}).Increment();
}

// --- Helpers ---

bool IsValidReferralId(std::string_view id) {
  // Both parts are ids and ids may hold dots: some split must give two valid ids.
  for (size_t dot = id.find('.'); dot != std::string_view::npos; dot = id.find('.', dot + 1)) {
    if (workflows::IsValidId(id.substr(0, dot)) && workflows::IsValidId(id.substr(dot + 1))) {
      return true;
    }
  }
  return false;
}

std::optional<uint64_t> ParseIfMatch(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  if (value.empty() || value.size() > 20) return std::nullopt;
  uint64_t version = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), version);
  if (ec != std::errc() || ptr != value.data() + value.size()) return std::nullopt;
  return version;
}

std::string NamespacedIdempotencyKey(std::string_view actor, std::string_view key) {
  // Length-prefixed, so that no actor and key can spell another pair.
  return "actor:" + std::to_string(actor.size()) + ":" + std::string(actor) + ":" +
         std::string(key);
}

std::string RequestFingerprint(std::string_view method, std::string_view path,
                               std::string_view actor, std::string_view body) {
  std::string text;
  for (std::string_view part : {method, path, actor, body}) {
    text += std::to_string(part.size());
    text += ':';
    text += part;
  }
  return Sha256Hex(text);
}

namespace {

// 421: this server does not lead. The body names the leader (null when unknown).
HttpResponse NotLeader(const std::string& leader_url) {
  HttpResponse response = ProblemResponse(
      421, "not_leader",
      leader_url.empty()
          ? "this server is not the leader (a read replica, or a cluster without one just now); "
            "send commands to the leader"
          : "this server is not the leader; send commands to the leader at " + leader_url);
  nlohmann::json body = nlohmann::json::parse(response.body);
  body["leader"] = leader_url.empty() ? nlohmann::json(nullptr) : nlohmann::json(leader_url);
  response.body = body.dump();
  return response;
}

}  // namespace

void AddCommandRoute(Router& router, std::shared_ptr<CommandEnvironment> environment,
                     std::string pattern, CommandSpec spec, CommandHandler handler) {
  const Access access = Access::Roles(spec.roles);
  router.AddAsync(
      "POST", std::move(pattern), access,
      [environment = std::move(environment), spec = std::move(spec), handler = std::move(handler)](
          const RequestContext& request, Responder responder) {
        if (const app::Leadership* leadership = environment->api.leadership;
            leadership != nullptr && !leadership->Leading()) {
          environment->metrics.CountCommand(spec.name, "refused");
          return responder.respond(NotLeader(leadership->LeaderUrl()));
        }
        auto call = CommandCall::Begin(*environment, request, spec);
        if (!call) {
          environment->metrics.CountCommand(spec.name, "refused");
          return responder.respond(std::move(call.error()));
        }
        CommandPlan plan = handler(*call);
        if (!plan) environment->metrics.CountCommand(spec.name, "refused");
        CommandCall::Continue(std::move(*call), std::move(plan), std::move(responder));
      });
}

// --- CommandCall ---

tl::expected<CommandCall, HttpResponse> CommandCall::Begin(CommandEnvironment& environment,
                                                           const RequestContext& request,
                                                           const CommandSpec& spec) {
  CommandCall call;
  call.environment_ = &environment;
  call.request_ = &request;
  call.principal_ = *request.principal;
  call.name_ = spec.name;
  const Principal& principal = *request.principal;

  // Path ids first: a bad id names nothing, whoever asks.
  std::vector<FieldError> path_errors;
  for (std::string_view name : spec.path_ids) {
    const std::string& value = request.Param(std::string(name));
    if (!workflows::IsValidId(value)) path_errors.push_back({std::string(name), IdMessage()});
  }
  for (std::string_view name : spec.path_referral_ids) {
    const std::string& value = request.Param(std::string(name));
    if (!IsValidReferralId(value)) {
      path_errors.push_back(
          {std::string(name), "must be a referral id: <briefing id>.<stakeholder id>"});
    }
  }
  if (!path_errors.empty()) {
    return tl::unexpected(
        BadRequest(path_errors, "the path names an invalid id: " + path_errors.front().field + " " +
                                    path_errors.front().message));
  }

  // The acting role: the first of the route's roles the principal holds, as the router found.
  const std::optional<workflows::Role> role = workflows::ParseRole(request.role);
  if (!role) {
    throw std::logic_error("command " + std::string(spec.name) + " acts in role \"" +
                           std::string(request.role) + "\", which the workflows do not know");
  }
  workflows::Context& context = call.context_;
  context.role = *role;
  context.actor = principal.actor;
  context.now = environment.api.clock.Now();
  context.occurred_at = context.now;
  context.rules = environment.api.rules;
  if (*role == workflows::Role::kState || *role == workflows::Role::kStakeholder) {
    context.stakeholder = principal.stakeholder;
  }
  if (*role == workflows::Role::kWorkingGroup) context.working_group = principal.working_group;

  if (!spec.acting_stakeholder_param.empty()) {
    const std::string& stakeholder = request.Param(std::string(spec.acting_stakeholder_param));
    if (auto refusal = call.ActForStakeholder(stakeholder, "act")) {
      return tl::unexpected(std::move(*refusal));
    }
  }

  auto decoded = DecodeJsonBody(request.request);
  if (!decoded) return tl::unexpected(std::move(decoded.error()));
  call.body_json_ = std::make_shared<nlohmann::json>(std::move(*decoded));
  call.body_ = std::make_shared<BodyFields>(*call.body_json_);
  BodyFields& body = *call.body_;

  // Only the secretariat records acts late or on another's behalf.
  if (!call.is_secretariat()) {
    for (std::string_view field : {"occurred_at", "on_behalf_of"}) {
      if (call.body_json_->contains(field)) {
        return tl::unexpected(ProblemResponse(
            403, "forbidden",
            std::string(field) + " is accepted from the secretariat only; " + principal.actor +
                " acts as " + std::string(workflows::Name(*role)) + " and acts for itself, now"));
      }
    }
  }
  context.note = body.OptionalString("note").value_or("");
  if (auto occurred_at = body.OptionalInstant("occurred_at")) {
    if (*occurred_at > context.now) {
      body.Invalid("occurred_at", "is in the future (now is " +
                                      workflows::FormatInstant(context.now) +
                                      "); acts are recorded late, never ahead");
    } else if (*occurred_at < context.rules.earliest_occurred_at) {
      body.Invalid("occurred_at",
                   "is before " + workflows::FormatInstant(context.rules.earliest_occurred_at) +
                       ": no act of the Review Mechanism predates its establishment");
    } else {
      context.occurred_at = *occurred_at;
      call.occurred_at_given_ = true;
    }
  }
  if (auto on_behalf_of = body.OptionalString("on_behalf_of")) {
    if (!workflows::IsValidId(*on_behalf_of)) {
      // An actor's id, as the tokens file names actors: never free text that a history sentence
      // or the console would show (5,000 characters, markup, bidirectional controls).
      body.Invalid("on_behalf_of",
                   "must name the actor whose act this is, as an id (^[a-z0-9][a-z0-9._-]{0,63}$)");
    } else {
      context.on_behalf_of = *on_behalf_of;
    }
  }
  // The secretariat recording an act of the stakeholder the path names: the event says whose act
  // it was even when the body does not.
  if (call.is_secretariat() && context.on_behalf_of.empty() &&
      !spec.acting_stakeholder_param.empty()) {
    context.on_behalf_of = request.Param(std::string(spec.acting_stakeholder_param));
  }

  const Headers& headers = request.request.headers;
  if (auto key = headers.Get("Idempotency-Key")) {
    if (key->empty() || key->size() > kMaxIdempotencyKeyLength || !IsVisibleAscii(*key)) {
      return tl::unexpected(BadRequest(
          {{"Idempotency-Key", "must be 1 to " + std::to_string(kMaxIdempotencyKeyLength) +
                                   " visible ASCII characters"}},
          "malformed Idempotency-Key header"));
    }
    call.idempotency_ =
        engine::IdempotencyKey{NamespacedIdempotencyKey(principal.actor, *key),
                               RequestFingerprint(request.request.method, request.path,
                                                  principal.actor, request.request.body)};
  }
  if (auto if_match = headers.Get("If-Match")) {
    call.if_match_ = ParseIfMatch(*if_match);
    if (!call.if_match_) {
      return tl::unexpected(
          BadRequest({{"If-Match", "must be a quoted version, as the ETag: \"4\""}},
                     "malformed If-Match header"));
    }
  }
  return call;
}

std::optional<HttpResponse> CommandCall::ActForStakeholder(const std::string& stakeholder,
                                                           std::string_view action) {
  if (is_secretariat()) {
    context_.stakeholder = stakeholder;
    return std::nullopt;
  }
  if ((context_.role == workflows::Role::kState ||
       context_.role == workflows::Role::kStakeholder) &&
      !principal().stakeholder.empty() && principal().stakeholder == stakeholder) {
    return std::nullopt;
  }
  return ProblemResponse(
      403, "forbidden",
      principal().actor + " (" + std::string(workflows::Name(context_.role)) +
          (principal().stakeholder.empty() ? std::string() : " for " + principal().stakeholder) +
          ") may not " + std::string(action) + " for " + stakeholder +
          ": only that stakeholder or the secretariat may");
}

std::optional<HttpResponse> CommandCall::ActForWorkingGroup(const std::string& working_group,
                                                            std::string_view action) {
  if (is_secretariat()) {
    context_.working_group = working_group;
    return std::nullopt;
  }
  if (context_.role == workflows::Role::kWorkingGroup && !principal().working_group.empty() &&
      principal().working_group == working_group) {
    return std::nullopt;
  }
  return ProblemResponse(
      403, "forbidden",
      principal().actor + " (" + std::string(workflows::Name(context_.role)) +
          (principal().working_group.empty() ? std::string()
                                             : " for " + principal().working_group) +
          ") may not " + std::string(action) + " for Working Group " + working_group +
          ": only that group or the secretariat may");
}

HttpResponse CommandCall::Refuse(const engine::Error& error, std::string_view outcome) {
  environment_->metrics.CountCommand(name_, outcome);
  return ErrorResponse(error);
}

HttpResponse CommandCall::AnswerAppended(int status, const engine::AppendResult& result,
                                         std::string_view outcome) {
  ApiContext& api = environment_->api;
  if (result.versions.empty() || result.first_position == 0 ||
      result.last_position < result.first_position) {
    return Refuse(engine::Error::Corruption("the append result names no event"), "failed");
  }
  const size_t count = result.last_position - result.first_position + 1;
  // A new append's events come with its result; a replay's are read back by position.
  engine::Result<std::vector<engine::RecordedEvent>> read;
  if (result.events.empty()) read = api.store.ReadAll(result.first_position - 1, count);
  if (!read) return Refuse(read.error(), "failed");
  const std::vector<engine::RecordedEvent>* events =
      result.events.empty() ? &*read : &result.events;
  if (events->size() != count) {
    return Refuse(engine::Error::Corruption("the log does not hold positions " +
                                            std::to_string(result.first_position) + " to " +
                                            std::to_string(result.last_position)),
                  "failed");
  }
  if (status == 201) environment_->metrics.CountEvents(*events);
  environment_->metrics.CountCommand(name_, outcome);
  // {"events":[...],"position":N,"stream":"...","version":V}, written straight to text: the
  // events' data are copied as stored, not parsed again (engine/event_json.hpp). The keys are in
  // the order a JSON document would dump them.
  const engine::StreamVersion& target = result.versions.front();
  HttpResponse response;
  response.status = status;
  response.headers.Set("Content-Type", "application/json");
  std::string& body = response.body;
  body.reserve(count * 700);
  body.append("{\"events\":[");
  for (size_t i = 0; i < events->size(); ++i) {
    if (i > 0) body.push_back(',');
    engine::AppendEventJson(body, (*events)[i]);
  }
  body.append("],\"position\":").append(std::to_string(result.last_position));
  body.append(",\"stream\":");
  engine::AppendJsonString(body, target.stream);
  body.append(",\"version\":").append(std::to_string(target.version)).push_back('}');
  response.headers.Set("ETag", "\"" + std::to_string(target.version) + "\"");
  return response;
}

HttpResponse CommandCall::Answer(const app::Executed& executed) {
  environment_->metrics.CountRetries(name_, executed.retries);
  const std::string_view outcome = app::Name(executed.outcome);
  switch (executed.outcome) {
    case app::Outcome::kCreated:
      if (executed.behind) {
        LogError("read models behind after " + std::string(name_) + ": " +
                 executed.behind->message);
      }
      return AnswerAppended(201, executed.appended, outcome);
    case app::Outcome::kReplayed:
      return AnswerAppended(200, executed.appended, outcome);
    default:
      break;
  }
  environment_->metrics.CountCommand(name_, outcome);
  if (!executed.field.empty()) {
    return BadRequest({{executed.field, executed.field_message}}, app::MessageOf(executed.error));
  }
  Problem problem =
      std::visit([](const auto& why) { return ProblemFromError(why); }, executed.error);
  if (!executed.redact) return ProblemResponse(problem);
  // The caller acted on a target it may not read: the refusal keeps its status, code and rule.
  problem.detail = std::string(name_) + " refused" +
                   (problem.rule.empty() ? "" : " under rule " + problem.rule) +
                   "; this token may not read " + *executed.redact +
                   ", so the refusal says nothing of it";
  problem.errors.clear();
  return ProblemResponse(problem);
}

CommandPlan CommandCall::Plan(app::Preparer prepare) {
  if (auto refusal = body_->Finish()) return tl::unexpected(std::move(*refusal));
  return prepare;
}

void CommandCall::Continue(CommandCall call, CommandPlan plan, Responder responder) {
  if (!plan) return responder.respond(std::move(plan.error()));
  auto self = std::make_shared<CommandCall>(std::move(call));
  self->request_ = nullptr;
  app::CommandRun run;
  run.name = std::string(self->name_);
  run.context = self->context_;
  run.prepare = std::move(*plan);
  run.idempotency = self->idempotency_;
  run.if_match = self->if_match_;
  run.occurred_at_given = self->occurred_at_given_;
  run.correlation_id = NewCorrelationId();
  // The store's completions come back to the connection's thread, which takes the call over (so
  // that the call, and the connection it answers, are never released on a thread of the store's,
  // after the server may be gone).
  auto post = [responder, name = self->name_](std::function<void()> work) {
    responder.post([responder, name, work = std::move(work)] {
      try {
        work();
        return;
      } catch (const std::exception& e) {
        LogError("command " + std::string(name) + " threw: " + e.what());
      } catch (...) {
        LogError("command " + std::string(name) + " threw a non-exception");
      }
      responder.respond(ProblemResponse(500, "internal_error", "the request could not be handled"));
    });
  };
  app::Leadership* leadership = self->environment_->api.leadership;
  self->environment_->executor.ExecuteAsync(
      std::move(run), std::move(post), [self, responder, leadership](app::Executed executed) {
        const bool appended = executed.outcome == app::Outcome::kCreated ||
                              executed.outcome == app::Outcome::kReplayed;
        if (leadership == nullptr || !appended) return responder.respond(self->Answer(executed));
        // A cluster's leader answers once the stream holds the events too (docs/cluster.md).
        const uint64_t position = executed.appended.last_position;
        leadership->AwaitReplicated(
            position, [self, responder, executed = std::move(executed)](bool replicated) {
              responder.post([self, responder, executed, replicated] {
                if (replicated) return responder.respond(self->Answer(executed));
                self->environment_->metrics.CountCommand(self->name_, "failed");
                HttpResponse refused = ProblemResponse(
                    503, "not_replicated",
                    "the events were written here but the cluster's stream did not take them: "
                    "this node no longer leads. Send the command again, with the same "
                    "Idempotency-Key, to the leader");
                refused.headers.Set("Retry-After", "1");
                responder.respond(std::move(refused));
              });
            });
      });
}

}  // namespace dialogue::api
