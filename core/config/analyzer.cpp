// SPDX-License-Identifier: GPL-3.0-or-later
// `istioctl analyze`: gathers the cluster and the files, runs the analyzers, and filters,
// orders and prints their messages as istioctl does (istioctl/pkg/analyze/analyze.go,
// pkg/config/analysis/local/istiod_analyze.go, pkg/config/analysis/diag).
#include "core/config/analyzer.h"

#include "core/common/text.h"
#include "core/config/analyzer_p.h"
#include "core/config/store.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <deque>
#include <map>
#include <tuple>

namespace meshcraft::core::config {

using common::Severity;
using detail::AnalyzedObject;

const char *analysisLevelName(Severity level)
{
    switch (level) {
    case Severity::Error:
        return "Error";
    case Severity::Warning:
        return "Warning";
    case Severity::Info:
        return "Info";
    }
    return "Error";
}

std::optional<Severity> parseAnalysisLevel(std::string_view text)
{
    const std::string upper = common::toUpper(text);
    for (const Severity level : {Severity::Error, Severity::Warning, Severity::Info}) {
        if (upper == common::toUpper(analysisLevelName(level))) {
            return level;
        }
    }
    return std::nullopt;
}

std::string AnalysisMessage::resourceName() const
{
    // istioctl's FriendlyName is the store's own "<Kind> <ns>/<name>".
    return ObjectKey{kind, nameSpace, name}.toString();
}

std::string AnalysisMessage::origin() const
{
    std::string out = resourceName();
    if (!file.empty()) {
        out += " " + file;
        // istioctl gives no line for JSON files.
        if (line > 0 && !common::endsWith(file, ".json")) {
            out += ":" + std::to_string(line);
        }
    }
    return out;
}

std::string AnalysisMessage::toString() const
{
    return std::string(analysisLevelName(level)) + " [" + code + "] (" + origin() + ") " + text;
}

namespace {

/// Namespaces istioctl never reads (inject.IgnoredNamespaces).
bool isIgnoredNamespace(std::string_view nameSpace)
{
    constexpr std::array<std::string_view, 4> ignored = {"kube-system", "kube-public",
                                                         "kube-node-lease", "local-path-storage"};
    return std::find(ignored.begin(), ignored.end(), nameSpace) != ignored.end();
}

/// istioctl's file source reads neither Pods, Services nor Namespaces from files.
bool isReadFromFiles(Kind kind)
{
    return kind != Kind::Pod && kind != Kind::Service && kind != Kind::Namespace;
}

/// How istioctl's YAML reader cuts a file: each chunk's buffer starts after the previous
/// separator (or at the top), and its reported line is its first line that is neither empty
/// nor exactly `---`.
struct YamlChunk
{
    int bufferFirst = 0;
    int start = 0;
    int last = 0;
};

bool isSeparatorLine(std::string_view line)
{
    return common::startsWith(line, "---") && common::trim(line.substr(3)).empty();
}

std::vector<YamlChunk> yamlChunks(std::string_view text)
{
    std::vector<std::string> lines = common::split(text, '\n');
    if (!lines.empty() && lines.back().empty()) {
        lines.pop_back(); // the newline ending the last line
    }
    std::vector<YamlChunk> chunks;
    YamlChunk current;
    bool open = false;
    bool foundStart = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const int number = static_cast<int>(i) + 1;
        const std::string_view line = lines[i];
        if (!open) {
            current = YamlChunk{number, number, number};
            open = true;
            foundStart = false;
        }
        if (!foundStart && !line.empty() && line != "---") {
            current.start = number;
            foundStart = true;
        }
        // A separator ends a chunk that holds anything; at the top of one it is kept.
        if (isSeparatorLine(line) && number > current.bufferFirst) {
            current.last = number - 1;
            chunks.push_back(current);
            open = false;
            continue;
        }
        current.last = number;
    }
    if (open) {
        chunks.push_back(current);
    }
    return chunks;
}

/// Everything the analyzers see, and the file resources they point into.
struct Gathered
{
    std::deque<Resource> fileResources;
    std::map<ObjectKey, AnalyzedObject> objects;
    common::Diagnostics fileDiagnostics;
};

void gatherCluster(const Store &store, Gathered &out)
{
    for (const KindInfo &info : knownKinds()) {
        for (const StoredObject *stored : store.list(info.kind)) {
            const Resource &resource = stored->resource;
            const std::string nameSpace = info.namespaced ? resource.metadata.nameSpace : "";
            const std::string &scope = info.namespaced ? nameSpace : resource.metadata.name;
            if (isIgnoredNamespace(scope)) {
                continue;
            }
            AnalyzedObject object;
            object.resource = &resource;
            object.nameSpace = nameSpace;
            out.objects[ObjectKey{info.kind, nameSpace, resource.metadata.name}] = object;
        }
    }
}

void gatherFile(const AnalysisFile &file, const std::string &defaultNamespace, Gathered &out)
{
    ParseResult parsed = parseResources(file.text, file.name);
    for (common::Diagnostic &diagnostic : parsed.diagnostics) {
        // istioctl skips documents of kinds it does not analyse.
        if (diagnostic.code != "k8s.unknown-kind") {
            out.fileDiagnostics.push_back(std::move(diagnostic));
        }
    }
    const std::vector<YamlChunk> chunks = yamlChunks(file.text);
    for (Resource &resource : parsed.resources) {
        if (!isReadFromFiles(resource.kind)) {
            continue;
        }
        if (resource.metadata.nameSpace.empty()) {
            resource.metadata.nameSpace = defaultNamespace;
        }
        if (isIgnoredNamespace(resource.metadata.nameSpace)) {
            continue;
        }
        AnalyzedObject object;
        object.nameSpace = resource.metadata.nameSpace;
        object.file = file.name;
        const int line = resource.document.mark.line;
        object.startLine = line;
        for (const YamlChunk &chunk : chunks) {
            if (line >= chunk.bufferFirst && line <= chunk.last) {
                object.startLine = chunk.start;
                object.fieldLineShift = chunk.start - chunk.bufferFirst;
                break;
            }
        }
        const ObjectKey key{resource.kind, object.nameSpace, resource.metadata.name};
        out.fileResources.push_back(std::move(resource));
        object.resource = &out.fileResources.back();
        out.objects[key] = object; // the file's object shadows the cluster's
    }
}

/// go-glob: `*` matches any run of characters.
bool globMatches(std::string_view pattern, std::string_view text)
{
    const std::vector<std::string> parts = common::split(pattern, '*');
    if (parts.size() == 1) {
        return pattern == text;
    }
    if (!common::startsWith(text, parts.front()) || !common::endsWith(text, parts.back()) ||
        text.size() < parts.front().size() + parts.back().size()) {
        return false;
    }
    std::size_t at = parts.front().size();
    const std::size_t end = text.size() - parts.back().size();
    for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
        const std::size_t found = text.substr(0, end).find(parts[i], at);
        if (found == std::string_view::npos) {
            return false;
        }
        at = found + parts[i].size();
    }
    return true;
}

struct Suppression
{
    std::string code;
    std::string resource;
};

bool isSuppressed(const AnalysisMessage &message, const Gathered &gathered,
                  const std::vector<Suppression> &suppressions)
{
    const auto it = gathered.objects.find(ObjectKey{message.kind, message.nameSpace, message.name});
    if (it != gathered.objects.end()) {
        const auto &annotations = it->second.resource->metadata.annotations;
        const auto annotation = annotations.find("galley.istio.io/analyze-suppress");
        if (annotation != annotations.end() && !annotation->second.empty()) {
            for (const std::string &code : common::split(annotation->second, ',')) {
                if (code == "*" || code == message.code) {
                    return true;
                }
            }
        }
    }
    return std::any_of(suppressions.begin(), suppressions.end(), [&](const Suppression &s) {
        return s.code == message.code && globMatches(s.resource, message.resourceName());
    });
}

/// The namespace a message is filtered by: a Namespace's own name.
const std::string &scopeOf(const AnalysisMessage &message)
{
    return message.kind == Kind::Namespace ? message.name : message.nameSpace;
}

/// diag.Messages.Sort: level, code, resource (kind/name/namespace), then the whole line.
void sortAndDedupe(std::vector<AnalysisMessage> &messages)
{
    const auto key = [](const AnalysisMessage &m) {
        return std::make_tuple(
            static_cast<int>(m.level), m.code,
            std::string(kindInfo(m.kind).name) + "/" + m.name + "/" + m.nameSpace, m.toString());
    };
    std::sort(
        messages.begin(), messages.end(),
        [&key](const AnalysisMessage &a, const AnalysisMessage &b) { return key(a) < key(b); });
    messages.erase(std::unique(messages.begin(), messages.end(),
                               [](const AnalysisMessage &a, const AnalysisMessage &b) {
                                   return a.toString() == b.toString();
                               }),
                   messages.end());
}

/// Error is 0, Info 2: "at or above" a threshold is "not greater".
bool atOrAbove(Severity level, Severity threshold)
{
    return static_cast<int>(level) <= static_cast<int>(threshold);
}

bool isMessageCode(std::string_view code)
{
    return code.size() == 7 && common::startsWith(code, "IST") &&
           std::all_of(code.begin() + 3, code.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

void runAnalyzers(detail::AnalysisContext &context)
{
    detail::analyzeGatewayPorts(context);
    detail::analyzeConflictingGateways(context);
    detail::analyzeVirtualServiceGateways(context);
    detail::analyzeDestinationHosts(context);
    detail::analyzeDestinationRuleSubsets(context);
    detail::analyzeConflictingMeshGatewayHosts(context);
    detail::analyzeDestinationRuleHosts(context);
    detail::analyzeServiceEntryAddresses(context);
    detail::analyzeInjection(context);
}

/// Go's multierror list, as istioctl prints it after "Error(s) adding files: ".
void appendFileErrors(const common::Diagnostics &errors, std::vector<std::string> &lines)
{
    const std::size_t count = errors.size();
    lines.push_back("Error(s) adding files: " + std::to_string(count) +
                    (count == 1 ? " error occurred:" : " errors occurred:"));
    for (const common::Diagnostic &error : errors) {
        lines.push_back("\t* " + error.toString());
    }
    lines.emplace_back();
}

} // namespace

AnalysisResult analyze(const AnalysisInput &input)
{
    AnalysisResult result;
    const std::string selected = input.nameSpace.empty() ? "default" : input.nameSpace;

    std::vector<Suppression> suppressions;
    for (const std::string &entry : input.suppressions) {
        const std::vector<std::string> parts = common::split(entry, '=');
        if (parts.size() != 2) {
            result.stderrLines.push_back("Error: " + entry +
                                         " is not a valid suppression value. See istioctl "
                                         "analyze --help");
            result.exitStatus = 1;
            return result;
        }
        if (!isMessageCode(parts[0])) {
            result.stderrLines.push_back("Warning: Supplied message code '" + parts[0] +
                                         "' is an unknown message code and will not have any "
                                         "effect.");
        }
        suppressions.push_back({parts[0], parts[1]});
    }

    // With a cluster, istioctl first checks that the namespace exists.
    if (input.store && !input.store->get(Kind::Namespace, "", selected)) {
        result.stderrLines.push_back("namespace " + detail::goQuote(input.nameSpace) +
                                     " not found");
        return result;
    }

    Gathered gathered;
    if (input.store) {
        gatherCluster(*input.store, gathered);
    }
    for (const AnalysisFile &file : input.files) {
        gatherFile(file, selected, gathered);
    }
    result.fileDiagnostics = gathered.fileDiagnostics;
    const bool parseError = !result.fileDiagnostics.empty();
    if (parseError) {
        appendFileErrors(result.fileDiagnostics, result.stderrLines);
    }

    std::vector<AnalyzedObject> objects;
    objects.reserve(gathered.objects.size());
    for (const auto &[key, object] : gathered.objects) {
        objects.push_back(object);
    }
    detail::AnalysisContext context(std::move(objects));
    runAnalyzers(context);

    for (AnalysisMessage &message : context.takeMessages()) {
        if ((!input.allNamespaces && scopeOf(message) != selected) ||
            isSuppressed(message, gathered, suppressions)) {
            continue;
        }
        result.messages.push_back(std::move(message));
    }
    sortAndDedupe(result.messages);

    for (const AnalysisMessage &message : result.messages) {
        if (atOrAbove(message.level, input.outputThreshold)) {
            result.stdoutLines.push_back(message.toString());
        }
    }
    const std::string target = input.allNamespaces ? "all namespaces" : "namespace: " + selected;
    if (result.stdoutLines.empty()) {
        result.stdoutLines.emplace_back(); // Println of no messages
        if (parseError) {
            result.stderrLines.push_back("No validation issues found when analyzing " + target +
                                         " (but 1 file could not be parsed).");
        } else if (!input.files.empty()) {
            std::vector<std::string> names;
            for (const AnalysisFile &file : input.files) {
                names.push_back(file.name);
            }
            const std::vector<std::string> lines =
                common::split("\u2714 No validation issues found when analyzing " +
                                  common::join(names, "\n") + ".",
                              '\n');
            result.stderrLines.insert(result.stderrLines.end(), lines.begin(), lines.end());
        } else {
            result.stderrLines.push_back("\u2714 No validation issues found when analyzing " +
                                         target + ".");
        }
    }

    const bool issues =
        std::any_of(result.messages.begin(), result.messages.end(), [&](const AnalysisMessage &m) {
            return atOrAbove(m.level, input.failureThreshold);
        });
    if (issues) {
        result.stderrLines.push_back("Error: Analyzers found issues when analyzing " + target +
                                     ".");
        result.stderrLines.push_back("See " + std::string(AnalysisDocsUrl) +
                                     " for more information about causes and resolutions.");
        result.exitStatus = AnalyzeExitIssuesFound;
    } else if (parseError) {
        result.stderrLines.push_back("Error: Some files couldn't be parsed.");
        result.exitStatus = AnalyzeExitFileParseError;
    }
    return result;
}

} // namespace meshcraft::core::config
