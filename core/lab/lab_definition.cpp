// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/lab/lab_definition.h"

#include "core/common/text.h"
#include "core/config/validator.h"
#include "core/config/yaml_loader.h"
#include "core/lab/lab_schema.h"

#include <algorithm>
#include <set>
#include <system_error>

namespace meshcraft::core::lab {

namespace {

using config::Mark;
using config::Node;

std::string scalarOr(const Node &map, std::string_view key, std::string fallback = {})
{
    const Node *value = map.find(key);
    return value && value->isScalar() ? value->scalar : fallback;
}

std::optional<std::string> optionalScalar(const Node &map, std::string_view key)
{
    const Node *value = map.find(key);
    if (!value || !value->isScalar()) {
        return std::nullopt;
    }
    return value->scalar;
}

std::vector<std::pair<std::string, std::string>> stringPairs(const Node *map)
{
    std::vector<std::pair<std::string, std::string>> out;
    if (map && map->isMap()) {
        for (const config::MapEntry &entry : map->entries) {
            out.emplace_back(entry.key, entry.value.scalar);
        }
    }
    return out;
}

common::Diagnostic problem(const std::string &file, Mark at, std::string code, std::string message)
{
    return {common::Severity::Error,
            std::move(code),
            std::move(message),
            {file, at.line, at.column},
            {}};
}

/// Reads the texts lab.yaml names, reporting a missing one at the mark that named it.
class TextReader
{
public:
    TextReader(const std::filesystem::path &folder, std::string labFile,
               common::Diagnostics &diagnostics)
        : m_folder(folder), m_labFile(std::move(labFile)), m_diagnostics(diagnostics)
    {
    }

    std::string read(const std::string &relative, Mark at)
    {
        if (relative.empty() || relative.find("..") != std::string::npos ||
            relative.front() == '/') {
            m_diagnostics.push_back(
                problem(m_labFile, at, "lab.bad-path",
                        "\"" + relative + "\" must be a path inside the lab folder"));
            return {};
        }
        if (auto text = common::readFile((m_folder / relative).string())) {
            return std::move(*text);
        }
        m_diagnostics.push_back(
            problem(m_labFile, at, "lab.missing-file", "file \"" + relative + "\" does not exist"));
        return {};
    }

private:
    const std::filesystem::path &m_folder;
    std::string m_labFile;
    common::Diagnostics &m_diagnostics;
};

ProbeCondition probeCondition(const Node &node)
{
    ProbeCondition c;
    c.from = scalarOr(node, "from");
    c.nameSpace = scalarOr(node, "namespace", "default");
    c.to = scalarOr(node, "to");
    c.outcome = scalarOr(node, "outcome");
    c.cluster = optionalScalar(node, "cluster");
    c.flags = optionalScalar(node, "flags");
    c.via = optionalScalar(node, "via");
    c.notVia = optionalScalar(node, "not_via");
    c.sinceStep = scalarOr(node, "since") == "step";
    c.tool = scalarOr(node, "tool", "telnet");
    return c;
}

Condition conditionOf(const Node &check)
{
    if (const Node *n = check.find("observed")) {
        return ObservedCondition{probeCondition(*n)};
    }
    if (const Node *n = check.find("probe")) {
        return RunProbeCondition{probeCondition(*n)};
    }
    if (const Node *n = check.find("resource")) {
        return ResourceCondition{scalarOr(*n, "kind"),
                                 scalarOr(*n, "name"),
                                 scalarOr(*n, "namespace", "default"),
                                 optionalScalar(*n, "has_container"),
                                 optionalScalar(*n, "field"),
                                 optionalScalar(*n, "equals")};
    }
    if (const Node *n = check.find("mesh")) {
        return MeshCondition{scalarOr(*n, "outbound_traffic_policy")};
    }
    if (const Node *n = check.find("history")) {
        HistoryCondition c{scalarOr(*n, "ran"), std::nullopt, optionalScalar(*n, "before")};
        if (const Node *succeeded = n->find("succeeded")) {
            c.succeeded = succeeded->asBool();
        }
        return c;
    }
    if (const Node *n = check.find("cart")) {
        const Node *rate = n->find("min_success_rate");
        return CartCondition{optionalScalar(*n, "target"),
                             rate ? rate->asDouble().value_or(0.0) : 0.0};
    }
    if (const Node *n = check.find("cloud_instance")) {
        return CloudInstanceCondition{scalarOr(*n, "name"), scalarOr(*n, "state")};
    }
    return CloudServiceCondition{scalarOr(check, "cloud_service_enabled")};
}

SolutionAction actionOf(const Node &node)
{
    SolutionAction action;
    action.mark = node.mark;
    if (const Node *edit = node.find("edit")) {
        action.kind = SolutionAction::Kind::Edit;
        action.file = scalarOr(*edit, "file");
        action.content = optionalScalar(*edit, "content");
        action.replace = optionalScalar(*edit, "replace");
        action.with = optionalScalar(*edit, "with");
        action.mark = edit->mark;
        return action;
    }
    action.run = scalarOr(node, "run");
    if (const Node *input = node.find("input"); input && input->isSequence()) {
        for (const Node &line : input->items) {
            action.input.push_back(line.scalar);
        }
    }
    if (const Node *status = node.find("expect_exit")) {
        if (const auto value = status->asInt()) {
            action.expectExit = static_cast<int>(*value);
        }
    }
    return action;
}

StepDef stepOf(const Node &node, TextReader &reader)
{
    StepDef step;
    step.mark = node.mark;
    step.id = scalarOr(node, "id");
    step.title = scalarOr(node, "title");
    step.textPath = scalarOr(node, "text");
    step.text = reader.read(step.textPath, node.find("text")->mark);
    if (const Node *notes = node.find("notes")) {
        for (const Node &note : notes->items) {
            step.notes.emplace_back(note.scalar, reader.read(note.scalar, note.mark));
        }
    }
    if (const Node *commands = node.find("commands")) {
        for (const Node &command : commands->items) {
            step.commands.push_back({scalarOr(command, "run"), optionalScalar(command, "in_pod")});
        }
    }
    for (const Node &check : node.find("checks")->items) {
        step.checks.push_back(
            {scalarOr(check, "name"), scalarOr(check, "fail"), conditionOf(check), check.mark});
    }
    if (const Node *hints = node.find("hints")) {
        for (const Node &hint : hints->items) {
            HintDef h{scalarOr(hint, "text"), 0, std::nullopt};
            if (const Node *failed = hint.find("after_failed_checks")) {
                h.afterFailedChecks = static_cast<int>(failed->asInt().value_or(0));
            }
            if (const Node *seconds = hint.find("after_seconds")) {
                h.afterSeconds = static_cast<int>(seconds->asInt().value_or(0));
            }
            step.hints.push_back(std::move(h));
        }
    }
    for (const Node &action : node.find("solution")->items) {
        step.solution.push_back(actionOf(action));
    }
    return step;
}

WorldDef worldOf(const Node *node, TextReader &reader)
{
    WorldDef world;
    if (!node) {
        return world;
    }
    if (const Node *cluster = node->find("cluster")) {
        world.clusterName = scalarOr(*cluster, "name");
        world.clusterZone = scalarOr(*cluster, "zone");
    }
    if (const Node *cloud = node->find("cloud")) {
        world.project = scalarOr(*cloud, "project");
        world.projectNumber = scalarOr(*cloud, "project_number");
        world.account = scalarOr(*cloud, "account");
        world.region = scalarOr(*cloud, "region");
        world.zone = scalarOr(*cloud, "zone");
        world.network = scalarOr(*cloud, "network");
        for (const auto &[name, range] : stringPairs(cloud->find("reserved_ip_ranges"))) {
            world.reservedIpRanges[name] = range;
        }
    }
    world.env = stringPairs(node->find("env"));
    world.variables = stringPairs(node->find("variables"));
    if (const Node *istio = node->find("istio")) {
        world.istioRelease = scalarOr(*istio, "release", "istio");
        world.istioChart = scalarOr(*istio, "chart");
        world.istioValuesPath = scalarOr(*istio, "values");
        world.istioValuesText = reader.read(world.istioValuesPath, istio->find("values")->mark);
        if (const Node *set = istio->find("set"); set && set->isSequence()) {
            for (const Node &item : set->items) {
                world.istioSet.push_back(item.scalar);
            }
        }
    }
    if (const Node *objects = node->find("objects")) {
        for (const Node &object : objects->items) {
            WorldDef::Object o;
            o.file = scalarOr(object, "file");
            o.text = reader.read(o.file, object.find("file")->mark);
            if (const Node *inject = object.find("inject")) {
                o.inject = inject->asBool().value_or(false);
            }
            world.objects.push_back(std::move(o));
        }
    }
    return world;
}

} // namespace

const char *conditionKind(const Condition &condition)
{
    static constexpr const char *Names[] = {
        "observed",      "probe", "resource", "mesh", "history", "cart", "cloud_service_enabled",
        "cloud_instance"};
    return Names[condition.index()];
}

std::map<std::string, std::string> Definition::variables() const
{
    std::map<std::string, std::string> out;
    for (const auto &[name, value] : world.env) {
        out[name] = value;
    }
    for (const auto &[name, value] : world.variables) {
        out[name] = value;
    }
    return out;
}

std::string Definition::workshopFilesDir() const
{
    std::string home = "/home/learner/workshop";
    for (const auto &[name, value] : world.env) {
        if (name == "WORKSHOP_HOME") {
            home = value;
        }
    }
    return home + "/" + std::string(WorkshopFolder);
}

const FileDef *Definition::file(std::string_view relativePath) const
{
    for (const FileDef &f : files) {
        if (f.path == relativePath) {
            return &f;
        }
    }
    return nullptr;
}

LoadResult loadDefinition(const std::filesystem::path &folder)
{
    const std::string labFile = (folder / "lab.yaml").string();
    common::Diagnostics diagnostics;
    const auto text = common::readFile(labFile);
    if (!text) {
        diagnostics.push_back(problem(labFile, {}, "lab.missing-file",
                                      "cannot read lab.yaml (is this a lab folder?)"));
        return tl::unexpected(diagnostics);
    }
    config::YamlLoadResult loaded = config::loadYaml(*text, labFile);
    if (common::hasErrors(loaded.diagnostics)) {
        return tl::unexpected(loaded.diagnostics);
    }
    if (loaded.documents.size() != 1) {
        diagnostics.push_back(problem(labFile, {1, 1}, "lab.not-one-document",
                                      "lab.yaml must hold exactly one YAML document"));
        return tl::unexpected(diagnostics);
    }
    const Node &root = loaded.documents[0].root;
    const auto &schema = labSchema();
    if (!schema) {
        return tl::unexpected(schema.error());
    }
    diagnostics = schema->validate(root, labFile);
    if (common::hasErrors(diagnostics)) {
        return tl::unexpected(diagnostics);
    }

    Definition definition;
    definition.folder = folder;
    definition.schemaVersion = static_cast<int>(root.find("schema_version")->asInt().value_or(1));
    definition.id = scalarOr(root, "id");
    definition.title = scalarOr(root, "title");
    definition.summary = scalarOr(root, "summary");
    if (const Node *minutes = root.find("estimated_minutes")) {
        definition.estimatedMinutes = static_cast<int>(minutes->asInt().value_or(0));
    }
    TextReader reader(folder, labFile, diagnostics);
    if (const Node *finish = root.find("finish")) {
        definition.finishPath = finish->scalar;
        definition.finishText = reader.read(finish->scalar, finish->mark);
    }
    definition.world = worldOf(root.find("world"), reader);
    for (const Node &file : root.find("files")->items) {
        FileDef f;
        f.mark = file.mark;
        f.path = scalarOr(file, "path");
        f.helmValues = scalarOr(file, "type") == "helm-values";
        if (const Node *exercise = file.find("exercise")) {
            f.exercise = true;
            for (const Node &line : exercise->find("diagnostics")->items) {
                f.expectedDiagnostics.push_back(line.scalar);
            }
        }
        f.content = reader.read("files/" + f.path, file.find("path")->mark);
        definition.files.push_back(std::move(f));
    }
    std::set<std::string> stepIds;
    for (const Node &step : root.find("steps")->items) {
        definition.steps.push_back(stepOf(step, reader));
        if (!stepIds.insert(definition.steps.back().id).second) {
            diagnostics.push_back(
                problem(labFile, step.find("id")->mark, "lab.duplicate-step",
                        "step id \"" + definition.steps.back().id + "\" is used twice"));
        }
    }
    for (const StepDef &step : definition.steps) {
        for (const SolutionAction &action : step.solution) {
            if (action.kind == SolutionAction::Kind::Edit && !definition.file(action.file)) {
                diagnostics.push_back(
                    problem(labFile, action.mark, "lab.unknown-file",
                            "the edit names \"" + action.file + "\", which is not in files"));
            }
        }
    }
    if (common::hasErrors(diagnostics)) {
        return tl::unexpected(diagnostics);
    }
    return definition;
}

std::string expandVariables(std::string_view text,
                            const std::map<std::string, std::string> &variables, bool dollarNames)
{
    std::string out;
    out.reserve(text.size());
    const auto isNameChar = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_';
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '$' || i + 1 >= text.size()) {
            out += text[i];
            continue;
        }
        std::size_t nameStart = i + 1;
        std::size_t nameEnd = nameStart;
        std::size_t after = 0;
        if (text[nameStart] == '{') {
            const std::size_t close = text.find('}', nameStart);
            if (close == std::string_view::npos) {
                out += text[i];
                continue;
            }
            nameEnd = close;
            ++nameStart;
            after = close + 1;
        } else if (dollarNames) {
            while (nameEnd < text.size() && isNameChar(text[nameEnd])) {
                ++nameEnd;
            }
            after = nameEnd;
        } else {
            out += text[i];
            continue;
        }
        const auto found = variables.find(std::string(text.substr(nameStart, nameEnd - nameStart)));
        if (nameEnd == nameStart || found == variables.end()) {
            out += text[i];
            continue;
        }
        out += found->second;
        i = after - 1;
    }
    return out;
}

std::vector<std::string> referencedVariables(std::string_view text)
{
    std::vector<std::string> names;
    for (std::size_t at = text.find("${"); at != std::string_view::npos;
         at = text.find("${", at + 2)) {
        const std::size_t close = text.find('}', at + 2);
        if (close == std::string_view::npos) {
            break;
        }
        names.emplace_back(text.substr(at + 2, close - at - 2));
    }
    return names;
}

namespace {

// Every string of a step that may name ${VARIABLES}, with the mark to report it at.
std::vector<std::pair<std::string, Mark>> stepStrings(const StepDef &step)
{
    std::vector<std::pair<std::string, Mark>> out;
    for (const StepCommand &command : step.commands) {
        out.emplace_back(command.run, step.mark);
    }
    for (const CheckDef &check : step.checks) {
        out.emplace_back(check.fail, check.mark);
        std::visit(
            [&](const auto &c) {
                using T = std::decay_t<decltype(c)>;
                if constexpr (std::is_base_of_v<ProbeCondition, T>) {
                    out.emplace_back(c.from + " " + c.to + " " + c.cluster.value_or(""),
                                     check.mark);
                } else if constexpr (std::is_same_v<T, ResourceCondition>) {
                    out.emplace_back(c.name + " " + c.equals.value_or(""), check.mark);
                } else if constexpr (std::is_same_v<T, CartCondition>) {
                    out.emplace_back(c.target.value_or(""), check.mark);
                }
            },
            check.condition);
    }
    for (const HintDef &hint : step.hints) {
        out.emplace_back(hint.text, step.mark);
    }
    for (const SolutionAction &action : step.solution) {
        out.emplace_back(action.run + " " + action.content.value_or("") + " " +
                             action.with.value_or("") + " " + common::join(action.input, " "),
                         action.mark);
    }
    return out;
}

void checkYamlFile(const std::string &name, const std::string &display, const std::string &text,
                   bool helmValues, common::Diagnostics &out)
{
    common::Diagnostics found;
    if (helmValues) {
        found = config::loadYaml(text, name).diagnostics;
    } else {
        found = config::validateText(text, name).diagnostics;
    }
    for (common::Diagnostic diagnostic : found) {
        diagnostic.location.file = display;
        diagnostic.severity = common::Severity::Error;
        diagnostic.message = "must validate clean: " + diagnostic.message;
        out.push_back(std::move(diagnostic));
    }
}

} // namespace

common::Diagnostics labValidate(const std::filesystem::path &folder)
{
    const LoadResult loaded = loadDefinition(folder);
    if (!loaded) {
        return loaded.error();
    }
    const Definition &lab = *loaded;
    const std::string labFile = (folder / "lab.yaml").string();
    common::Diagnostics out;

    for (const FileDef &file : lab.files) {
        const std::string display = (folder / "files" / file.path).string();
        if (!file.exercise) {
            checkYamlFile(file.path, display, file.content, file.helmValues, out);
            continue;
        }
        std::vector<std::string> got;
        for (const common::Diagnostic &d :
             config::validateText(file.content, file.path).diagnostics) {
            got.push_back(d.toString());
        }
        if (got != file.expectedDiagnostics) {
            out.push_back(
                problem(labFile, file.mark, "lab.exercise-mismatch",
                        "exercise \"" + file.path + "\" must give exactly:\n  " +
                            common::join(file.expectedDiagnostics, "\n  ") + "\nbut gives:\n  " +
                            (got.empty() ? std::string("(nothing)") : common::join(got, "\n  "))));
        }
    }
    checkYamlFile(lab.world.istioValuesPath, (folder / lab.world.istioValuesPath).string(),
                  lab.world.istioValuesText, true, out);
    for (const WorldDef::Object &object : lab.world.objects) {
        checkYamlFile(object.file, (folder / object.file).string(), object.text, false, out);
    }

    const std::map<std::string, std::string> defined = lab.variables();
    for (const StepDef &step : lab.steps) {
        for (const auto &[text, mark] : stepStrings(step)) {
            for (const std::string &name : referencedVariables(text)) {
                if (!defined.count(name)) {
                    out.push_back(problem(labFile, mark, "lab.undefined-variable",
                                          "step \"" + step.id + "\" uses ${" + name +
                                              "}, which is not in world.variables or world.env"));
                }
            }
        }
    }
    return out;
}

std::optional<std::filesystem::path> resolveLabFolder(const std::string &idOrPath,
                                                      const std::filesystem::path &labsDir)
{
    std::error_code error;
    const std::filesystem::path asPath(idOrPath);
    if (std::filesystem::is_regular_file(asPath / "lab.yaml", error)) {
        return asPath;
    }
    if (idOrPath.find('/') == std::string::npos &&
        std::filesystem::is_regular_file(labsDir / idOrPath / "lab.yaml", error)) {
        return labsDir / idOrPath;
    }
    return std::nullopt;
}

std::vector<std::filesystem::path> listLabFolders(const std::filesystem::path &labsDir)
{
    std::vector<std::filesystem::path> out;
    std::error_code error;
    for (const auto &entry : std::filesystem::directory_iterator(labsDir, error)) {
        if (entry.is_directory(error) &&
            std::filesystem::is_regular_file(entry.path() / "lab.yaml", error)) {
            out.push_back(entry.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace meshcraft::core::lab
