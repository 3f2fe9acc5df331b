// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/diagnostic.h"
#include "core/config/resource.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::config {

class Store;

// `istioctl analyze` (current Istio, D1): the cluster in the store, plus the files given on the
// command line, checked by the analyzers of istio-behaviour.md §6 with Istio's codes, words,
// ordering and exit statuses (tool-outputs.md §4.4).

/// istioctl exits with this when a message is at or above --failure-threshold.
inline constexpr int AnalyzeExitIssuesFound = 79;
/// ... and with this when a file could not be parsed (and nothing reached the threshold).
inline constexpr int AnalyzeExitFileParseError = 65;
/// The documentation link istioctl prints after a failure.
inline constexpr std::string_view AnalysisDocsUrl =
    "https://istio.io/v1.30/docs/reference/config/analysis";

/// A file given to `analyze FILE...`: its name as typed ("-" for stdin) and its text.
struct AnalysisFile
{
    std::string name;
    std::string text;
};

struct AnalysisInput
{
    /// The cluster. Null analyses the files alone (`--use-kube=false`).
    const Store *store = nullptr;
    /// Analysed on top of the cluster: a file's object replaces the cluster's object of the
    /// same kind, namespace and name. As in istioctl, Pods, Services and Namespaces in files
    /// are ignored, and so is anything in kube-system, kube-public, kube-node-lease.
    std::vector<AnalysisFile> files;
    /// `-n` as given; empty means `default`. Also the namespace of file objects without one.
    std::string nameSpace;
    /// `-A`: report on every namespace.
    bool allNamespaces = false;
    /// `--failure-threshold` (Error) and `--output-threshold` (Info).
    common::Severity failureThreshold = common::Severity::Error;
    common::Severity outputThreshold = common::Severity::Info;
    /// `-S CODE=RESOURCE`: RESOURCE is matched, with `*` wildcards, against the message's
    /// resource as istioctl names it ("Gateway default/istio-egressgateway").
    std::vector<std::string> suppressions;
};

/// One analyzer finding.
struct AnalysisMessage
{
    common::Severity level = common::Severity::Error;
    std::string code; ///< "IST0162"
    std::string type; ///< "GatewayPortNotDefinedOnService"
    Kind kind = Kind::ConfigMap;
    std::string nameSpace; ///< empty for a Namespace
    std::string name;
    /// The file the resource came from; empty for objects in the cluster.
    std::string file;
    /// The line istioctl names with the file (the field's line, else the document's first
    /// line); 0 without a file.
    int line = 0;
    std::string text;

    /// "Gateway default/istio-egressgateway" or "Namespace default".
    std::string resourceName() const;
    /// resourceName() plus " file:line" when the resource came from a file.
    std::string origin() const;
    /// istioctl's line: `Warning [IST0162] (Gateway default/x f.yaml:7) The gateway ...`.
    std::string toString() const;
    bool operator==(const AnalysisMessage &) const = default;
};

struct AnalysisResult
{
    /// Every message for the namespaces analysed, sorted and de-duplicated as istioctl does
    /// (level, code, resource, text), before --output-threshold.
    std::vector<AnalysisMessage> messages;
    /// Problems reading the files (YAML errors and unusable documents).
    common::Diagnostics fileDiagnostics;
    /// What istioctl prints, line by line (without newlines). On success stdout holds one
    /// empty line, as istioctl's Println of no messages does.
    std::vector<std::string> stdoutLines;
    std::vector<std::string> stderrLines;
    int exitStatus = 0;
};

/// Runs every analyzer. Never throws.
AnalysisResult analyze(const AnalysisInput &input);

/// "Error", "Warning", "Info".
const char *analysisLevelName(common::Severity level);
/// Reads a --failure-threshold / --output-threshold value, case-insensitively.
std::optional<common::Severity> parseAnalysisLevel(std::string_view text);

} // namespace meshcraft::core::config
