// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/diagnostic.h"
#include "core/config/yaml_node.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <variant>
#include <vector>

namespace meshcraft::core::lab {

/// Where a lab's files appear in the terminal: $WORKSHOP_HOME/istio-workshop-labs/<path>.
inline constexpr std::string_view WorkshopFolder = "istio-workshop-labs";

// ---- Check conditions (labs/README.md, "Check conditions") -----------------------------------

/// `observed:` (the learner's own probe) and `probe:` (one the check runs) share their fields.
struct ProbeCondition
{
    std::string from; ///< pod name ("busybox"), in `nameSpace`
    std::string nameSpace = "default";
    std::string to;                     ///< "10.59.118.59:6379" after ${VAR} expansion
    std::string outcome;                ///< connected | closed | refused | pong
    std::optional<std::string> cluster; ///< the first hop's cluster
    std::optional<std::string> flags;   ///< response flags of the closing hop, "UH"
    std::optional<std::string> via;     ///< a proxy the flow passed ("istio-egressgateway")
    std::optional<std::string> notVia;
    bool sinceStep = false;      ///< observed: only probes made during this step
    std::string tool = "telnet"; ///< probe: telnet | nc | redis-cli
};

struct ResourceCondition
{
    std::string kind;
    std::string name;
    std::string nameSpace = "default";
    std::optional<std::string> hasContainer;
    std::optional<std::string> field;
    std::optional<std::string> equals;
};

struct MeshCondition
{
    std::string outboundTrafficPolicy;
};

struct HistoryCondition
{
    std::string ran; ///< ECMAScript regular expression
    std::optional<bool> succeeded;
    std::optional<std::string> before;
};

struct CartCondition
{
    std::optional<std::string> target;
    double minSuccessRate = 0.0;
};

struct CloudServiceCondition
{
    std::string service;
};

struct CloudInstanceCondition
{
    std::string name;
    std::string state;
};

struct ObservedCondition : ProbeCondition
{
};
struct RunProbeCondition : ProbeCondition
{
};

using Condition =
    std::variant<ObservedCondition, RunProbeCondition, ResourceCondition, MeshCondition,
                 HistoryCondition, CartCondition, CloudServiceCondition, CloudInstanceCondition>;

/// The condition's key in lab.yaml: "observed", "probe", "resource", …
const char *conditionKind(const Condition &condition);

struct CheckDef
{
    std::string name;
    std::string fail; ///< the sentence shown when it fails (variables expanded at evaluation)
    Condition condition;
    config::Mark mark;
};

struct HintDef
{
    std::string text;
    int afterFailedChecks = 0; ///< released after this many failed Checks of the step
    std::optional<int> afterSeconds;
};

struct SolutionAction
{
    enum class Kind { Run, Edit };
    Kind kind = Kind::Run;
    // Run
    std::string run;
    std::vector<std::string> input; ///< lines typed into the interactive command
    std::optional<int> expectExit;  ///< default: 0
    // Edit: `content`, or `replace` with `with`
    std::string file; ///< relative to files/
    std::optional<std::string> content;
    std::optional<std::string> replace;
    std::optional<std::string> with;
    config::Mark mark;
};

struct StepCommand
{
    std::string run;
    std::optional<std::string> inPod;
};

struct StepDef
{
    std::string id;
    std::string title;
    std::string textPath;                                   ///< relative to the lab folder
    std::string text;                                       ///< the markdown
    std::vector<std::pair<std::string, std::string>> notes; ///< path, markdown
    std::vector<StepCommand> commands;
    std::vector<CheckDef> checks;
    std::vector<HintDef> hints;
    std::vector<SolutionAction> solution;
    config::Mark mark;
};

struct FileDef
{
    std::string path; ///< relative to files/
    bool helmValues = false;
    bool exercise = false;
    std::vector<std::string> expectedDiagnostics; ///< exercise: exact toString() lines
    std::string content;                          ///< the shipped text
    config::Mark mark;
};

struct WorldDef
{
    std::string clusterName;
    std::string clusterZone;
    std::string project;
    std::string projectNumber;
    std::string account;
    std::string region;
    std::string zone;
    std::string network;
    std::map<std::string, std::string> reservedIpRanges;
    std::vector<std::pair<std::string, std::string>> env; ///< in lab.yaml's order
    std::string istioRelease = "istio";
    std::string istioChart;
    std::string istioValuesPath; ///< relative to the lab folder
    std::string istioValuesText;
    /// `--set` values applied at install, after the values file (the lab's own choices).
    std::vector<std::string> istioSet;
    struct Object
    {
        std::string file; ///< relative to the lab folder
        std::string text;
        bool inject = false;
    };
    std::vector<Object> objects;
    std::vector<std::pair<std::string, std::string>> variables;
};

/// A lab folder's lab.yaml, typed, with the texts it references read in.
struct Definition
{
    std::filesystem::path folder;
    int schemaVersion = 1;
    std::string id;
    std::string title;
    std::string summary;
    int estimatedMinutes = 0;
    std::string finishPath;
    std::string finishText;
    WorldDef world;
    std::vector<FileDef> files;
    std::vector<StepDef> steps;

    /// The lab's variables plus the world's env, for ${NAME} and $NAME expansion.
    std::map<std::string, std::string> variables() const;
    /// `$WORKSHOP_HOME/istio-workshop-labs` as an absolute virtual path.
    std::string workshopFilesDir() const;
    const FileDef *file(std::string_view relativePath) const;
};

using LoadResult = tl::expected<Definition, common::Diagnostics>;

/// Reads `<folder>/lab.yaml`, checks it against the lab schema (labs/README.md; the JSON Schema
/// shipped as data) and reads the texts it names. Every problem is a diagnostic at its
/// file:line:column; any error fails the load. Never throws.
LoadResult loadDefinition(const std::filesystem::path &folder);

/// Whole-lab validation for `meshcraft lab validate` (D5, D26): the schema, every referenced
/// file exists, every non-exercise YAML file validates clean (helm-values files only parse),
/// each exercise file gives exactly its recorded diagnostics, and every ${NAME} used is defined.
/// Returns the problems (empty when the lab is good).
common::Diagnostics labValidate(const std::filesystem::path &folder);

/// Replaces ${NAME} (and $NAME when `dollarNames`) with `variables`; unknown names are left
/// as they are.
std::string expandVariables(std::string_view text,
                            const std::map<std::string, std::string> &variables,
                            bool dollarNames = false);
/// The ${NAME} references in `text`.
std::vector<std::string> referencedVariables(std::string_view text);

/// A lab id or folder (D26): a path that holds lab.yaml, else `<labsDir>/<idOrPath>`.
std::optional<std::filesystem::path> resolveLabFolder(const std::string &idOrPath,
                                                      const std::filesystem::path &labsDir);
/// The folders of `labsDir` that hold a lab.yaml, sorted.
std::vector<std::filesystem::path> listLabFolders(const std::filesystem::path &labsDir);

} // namespace meshcraft::core::lab
