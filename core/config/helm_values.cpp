// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/config/helm_values.h"

#include "core/common/data_paths.h"
#include "core/common/text.h"
#include "core/config/yaml_loader.h"

#include <algorithm>
#include <charconv>
#include <climits>

namespace meshcraft::core::config {

using common::Diagnostic;
using common::Severity;

namespace {

// Helm 3 caps list indexes; without a cap `a[999999999]=1` would allocate a billion nulls.
constexpr long MaxListIndex = 65536;
// The parser recurses once per key or index; a hostile `a.a.a…` must not exhaust the stack.
constexpr int MaxSetDepth = 256;

Node stringNode(std::string text)
{
    return Node::makeScalar(std::move(text), true);
}

// Helm 2's typedVal.
Node typedValue(const std::string &text, bool forceString)
{
    if (forceString) {
        return stringNode(text);
    }
    const std::string lower = common::toLower(text);
    if (lower == "true" || lower == "false") {
        return Node::makeScalar(lower);
    }
    if (lower == "null") {
        return Node{};
    }
    if (text == "0") {
        return Node::makeScalar("0");
    }
    if (!text.empty() && text[0] != '0') {
        std::string_view digits = text;
        bool negative = false;
        if (digits[0] == '+' || digits[0] == '-') {
            negative = digits[0] == '-';
            digits.remove_prefix(1);
        }
        std::int64_t value = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        // from_chars would accept "1e5" up to "1"; strconv.ParseInt needs the whole text.
        if (!digits.empty() && digits[0] != '+' && digits[0] != '-' && ec == std::errc() &&
            end == digits.data() + digits.size()) {
            return Node::makeScalar(std::to_string(negative ? -value : value));
        }
    }
    return stringNode(text);
}

void setIndex(Node &list, std::size_t index, Node value)
{
    if (list.items.size() <= index) {
        list.items.resize(index + 1);
    }
    list.items[index] = std::move(value);
}

// A port of Helm 2's pkg/strvals parser, reading one --set argument.
class SetParser
{
public:
    SetParser(std::string_view text, bool forceString) : m_text(text), m_forceString(forceString) {}

    common::Result<void> parse(Node &data)
    {
        while (true) {
            const Status status = key(data);
            if (status == Status::Error) {
                return common::fail("helm.set-syntax", m_error);
            }
            if (status == Status::End) {
                return {};
            }
        }
    }

private:
    enum class Status { Ok, End, Error };
    struct Until
    {
        std::string text;
        char last = 0;
        bool end = false;
    };

    Status fail(std::string message)
    {
        m_error = std::move(message);
        return Status::Error;
    }

    // Reads up to one of `stops` (consumed), honouring backslash escapes.
    Until runesUntil(std::string_view stops)
    {
        Until out;
        while (m_pos < m_text.size()) {
            const char c = m_text[m_pos++];
            if (stops.find(c) != std::string_view::npos) {
                out.last = c;
                return out;
            }
            if (c == '\\') {
                if (m_pos >= m_text.size()) {
                    out.end = true;
                    return out;
                }
                out.text += m_text[m_pos++];
                continue;
            }
            out.text += c;
        }
        out.end = true;
        return out;
    }

    // Counts the parser's recursion for as long as it lives.
    class DepthGuard
    {
    public:
        explicit DepthGuard(int &depth) : m_depth(++depth) {}
        ~DepthGuard() { --m_depth; }
        DepthGuard(const DepthGuard &) = delete;
        DepthGuard &operator=(const DepthGuard &) = delete;

    private:
        int &m_depth;
    };

    Status key(Node &data)
    {
        const DepthGuard guard(m_depth);
        if (m_depth > MaxSetDepth) {
            return fail("values nested deeper than " + std::to_string(MaxSetDepth) + " levels");
        }
        const Until until = runesUntil("=[,.");
        if (until.end) {
            return until.text.empty() ? Status::End
                                      : fail("key \"" + until.text + "\" has no value");
        }
        const std::string &name = until.text;
        switch (until.last) {
        case '[': {
            const auto index = keyIndex();
            if (!index) {
                return Status::Error;
            }
            const Node *existing = data.find(name);
            Node list = existing && existing->isSequence() ? *existing : Node::makeSequence();
            const Status status = listItem(list, *index);
            data.set(name, std::move(list));
            return status;
        }
        case '=': {
            Node value;
            const Status status = readValue(value);
            if (status != Status::Error) {
                data.set(name, std::move(value));
            }
            return status;
        }
        case ',':
            data.set(name, stringNode(""));
            return fail("key \"" + name + "\" has no value (cannot end with ,)");
        default: { // '.'
            const Node *existing = data.find(name);
            Node inner = existing && existing->isMap() ? *existing : Node::makeMap();
            const Status status = key(inner);
            if (inner.entries.empty()) {
                return status == Status::Error ? status
                                               : fail("key map \"" + name + "\" has no value");
            }
            data.set(name, std::move(inner));
            return status;
        }
        }
    }

    // The value after '=': a {list}, or a scalar up to the next comma.
    Status readValue(Node &value)
    {
        if (m_pos >= m_text.size()) {
            value = stringNode("");
            return Status::End;
        }
        if (m_text[m_pos] != '{') {
            const Until until = runesUntil(",");
            value = typedValue(until.text, m_forceString);
            return until.end ? Status::End : Status::Ok;
        }
        ++m_pos;
        value = Node::makeSequence();
        while (true) {
            const Until until = runesUntil(",}");
            if (until.end) {
                return fail("list must terminate with '}'");
            }
            value.items.push_back(typedValue(until.text, m_forceString));
            if (until.last == '}') {
                if (m_pos < m_text.size() && m_text[m_pos] == ',') {
                    ++m_pos;
                }
                return m_pos >= m_text.size() ? Status::End : Status::Ok;
            }
        }
    }

    std::optional<std::size_t> keyIndex()
    {
        const Until until = runesUntil("]");
        if (until.end) {
            fail("error parsing index: EOF");
            return std::nullopt;
        }
        long index = 0;
        const char *first = until.text.data();
        const char *last = first + until.text.size();
        const auto [end, ec] = std::from_chars(first, last, index);
        if (until.text.empty() || ec != std::errc() || end != last) {
            fail("error parsing index: strconv.Atoi: parsing \"" + until.text +
                 "\": invalid syntax");
            return std::nullopt;
        }
        if (index < 0) {
            fail("negative " + std::to_string(index) + " index not allowed");
            return std::nullopt;
        }
        if (index > MaxListIndex) {
            fail("index of " + std::to_string(index) + " is greater than maximum supported index " +
                 std::to_string(MaxListIndex));
            return std::nullopt;
        }
        return static_cast<std::size_t>(index);
    }

    Status listItem(Node &list, std::size_t index)
    {
        const DepthGuard guard(m_depth);
        if (m_depth > MaxSetDepth) {
            return fail("values nested deeper than " + std::to_string(MaxSetDepth) + " levels");
        }
        const Until until = runesUntil("[.=");
        if (!until.text.empty()) {
            return fail("unexpected data at end of array index: \"" + until.text + "\"");
        }
        if (until.end) {
            return Status::End;
        }
        switch (until.last) {
        case '=': {
            Node value;
            const Status status = readValue(value);
            if (status != Status::Error) {
                setIndex(list, index, std::move(value));
            }
            return status;
        }
        case '[': {
            const auto inner = keyIndex();
            if (!inner) {
                return Status::Error;
            }
            Node nested = index < list.items.size() && list.items[index].isSequence()
                              ? list.items[index]
                              : Node::makeSequence();
            const Status status = listItem(nested, *inner);
            setIndex(list, index, std::move(nested));
            return status;
        }
        default: { // '.'
            Node inner = index < list.items.size() && list.items[index].isMap() ? list.items[index]
                                                                                : Node::makeMap();
            const Status status = key(inner);
            setIndex(list, index, std::move(inner));
            return status;
        }
        }
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
    bool m_forceString = false;
    int m_depth = 0;
    std::string m_error;
};

void collectLeaves(const Node &node, const std::string &prefix, std::vector<std::string> &out)
{
    if (!node.isMap() || (node.entries.empty() && !prefix.empty())) {
        if (!prefix.empty()) {
            out.push_back(prefix);
        }
        return;
    }
    for (const MapEntry &entry : node.entries) {
        collectLeaves(entry.value, prefix.empty() ? entry.key : prefix + "." + entry.key, out);
    }
}

void collectMapKeys(const Node &node, const std::string &prefix, std::vector<std::string> &out)
{
    for (const MapEntry &entry : node.entries) {
        const std::string path = prefix.empty() ? entry.key : prefix + "." + entry.key;
        out.push_back(path);
        if (entry.value.isMap()) {
            collectMapKeys(entry.value, path, out);
        }
    }
}

// Maps whose keys are the user's to choose: anything below them is accepted.
bool isFreeFormMap(std::string_view key)
{
    static constexpr std::string_view FreeForm[] = {"labels",
                                                    "annotations",
                                                    "podAnnotations",
                                                    "serviceAnnotations",
                                                    "nodeSelector",
                                                    "env",
                                                    "resources",
                                                    "defaultNodeSelector",
                                                    "meshNetworks",
                                                    "tolerations",
                                                    "podDNSSearchNamespaces"};
    return std::find(std::begin(FreeForm), std::end(FreeForm), key) != std::end(FreeForm);
}

common::Result<Node> loadValuesFile(const std::filesystem::path &path)
{
    const auto text = common::readFile(path.string());
    if (!text) {
        return common::fail("helm.chart-unreadable", "cannot read " + path.string());
    }
    YamlLoadResult loaded = loadYaml(*text, path.string());
    if (common::hasErrors(loaded.diagnostics)) {
        return common::fail("helm.chart-invalid", loaded.diagnostics.front().toString());
    }
    if (loaded.documents.empty()) {
        return Node::makeMap();
    }
    return loaded.documents.front().root;
}

} // namespace

common::Result<void> applySetArgument(Node &values, std::string_view argument, bool forceString)
{
    if (!values.isMap()) {
        values = Node::makeMap();
    }
    return SetParser(argument, forceString).parse(values);
}

void mergeValues(Node &dest, const Node &src)
{
    if (!src.isMap() || !dest.isMap()) {
        dest = src;
        return;
    }
    for (const MapEntry &entry : src.entries) {
        Node *existing = dest.find(entry.key);
        if (existing && existing->isMap() && entry.value.isMap()) {
            mergeValues(*existing, entry.value);
        } else {
            dest.set(entry.key, entry.value);
        }
    }
}

Node coalesceValues(const Node &supplied, const Node &defaults)
{
    if (!supplied.isMap() || !defaults.isMap()) {
        return supplied;
    }
    Node out = Node::makeMap();
    for (const MapEntry &entry : defaults.entries) {
        const Node *given = supplied.find(entry.key);
        if (!given) {
            out.set(entry.key, entry.value);
        } else if (!given->isNull()) {
            out.set(entry.key, coalesceValues(*given, entry.value));
        }
        // A supplied null deletes the default.
    }
    for (const MapEntry &entry : supplied.entries) {
        if (!defaults.find(entry.key)) {
            out.set(entry.key, entry.value);
        }
    }
    return out;
}

const Node *lookupValue(const Node &values, std::string_view dottedPath)
{
    const Node *node = &values;
    for (const std::string &part : common::split(dottedPath, '.')) {
        node = node->find(part);
        if (!node) {
            return nullptr;
        }
    }
    return node;
}

std::vector<std::string> leafPaths(const Node &values)
{
    std::vector<std::string> out;
    collectLeaves(values, {}, out);
    return out;
}

common::Result<Node> buildValues(const HelmValuesInput &input)
{
    Node values = Node::makeMap();
    for (const HelmValuesFile &file : input.files) {
        YamlLoadResult loaded = loadYaml(file.text, file.name);
        if (common::hasErrors(loaded.diagnostics)) {
            return common::fail("helm.values-invalid", "failed to parse " + file.name + ": " +
                                                           loaded.diagnostics.front().message);
        }
        if (loaded.documents.empty()) {
            continue;
        }
        const Node &root = loaded.documents.front().root;
        if (!root.isMap()) {
            return common::fail("helm.values-invalid",
                                "failed to parse " + file.name + ": not a map of values");
        }
        mergeValues(values, root);
    }
    for (const auto &[arguments, forceString] :
         {std::pair{&input.set, false}, std::pair{&input.setString, true}}) {
        for (const std::string &argument : *arguments) {
            if (auto applied = applySetArgument(values, argument, forceString); !applied) {
                return common::fail(applied.error().code,
                                    std::string("failed parsing ") +
                                        (forceString ? "--set-string" : "--set") +
                                        " data: " + applied.error().message);
            }
        }
    }
    return values;
}

common::Result<HelmChart> HelmChart::load(const std::filesystem::path &dir, std::string name,
                                          std::string version)
{
    auto parent = loadValuesFile(dir / "values.yaml");
    if (!parent) {
        return tl::unexpected(parent.error());
    }
    HelmChart chart;
    chart.m_name = std::move(name);
    chart.m_version = std::move(version);
    chart.m_defaults = parent->isMap() ? std::move(*parent) : Node::makeMap();

    std::error_code ec;
    std::vector<std::filesystem::path> subcharts;
    for (const auto &entry : std::filesystem::directory_iterator(dir / "charts", ec)) {
        const std::string file = entry.path().filename().string();
        if (common::endsWith(file, "-values.yaml")) {
            subcharts.push_back(entry.path());
        }
    }
    std::sort(subcharts.begin(), subcharts.end());
    for (const std::filesystem::path &path : subcharts) {
        auto values = loadValuesFile(path);
        if (!values) {
            return tl::unexpected(values.error());
        }
        const std::string file = path.filename().string();
        const std::string subchart =
            file.substr(0, file.size() - std::string("-values.yaml").size());
        const Node *parentValues = chart.m_defaults.find(subchart);
        Node merged = coalesceValues(parentValues ? *parentValues : Node::makeMap(), *values);
        chart.m_defaults.set(subchart, std::move(merged));
    }
    collectMapKeys(chart.m_defaults, {}, chart.m_knownKeys);
    return chart;
}

const common::Result<HelmChart> &HelmChart::istio130()
{
    static const common::Result<HelmChart> chart =
        load(common::dataPath("helm/istio-1.3.0"), "istio", "1.3.0");
    return chart;
}

bool HelmChart::isKnownKey(std::string_view path) const
{
    const Node *node = &m_defaults;
    std::string parentKey; // the key of the map `node` is, for free-form maps
    for (const std::string &segment : common::split(path, '.')) {
        if (node->isNull() || node->isSequence()) {
            return true; // a placeholder or list items: free-form below
        }
        if (!node->isMap()) {
            return false; // the path goes deeper than a scalar default
        }
        if (node->entries.empty() || isFreeFormMap(parentKey)) {
            return true;
        }
        const auto bracket = segment.find('[');
        const std::string keyName = segment.substr(0, bracket);
        node = node->find(keyName);
        if (!node) {
            return false;
        }
        if (bracket != std::string::npos) {
            return true;
        }
        parentKey = keyName;
    }
    return true;
}

std::optional<std::string> HelmChart::suggestKey(std::string_view path) const
{
    std::optional<std::string> best;
    std::size_t bestDistance = std::max<std::size_t>(2, path.size() / 8) + 1;
    for (const std::string &known : m_knownKeys) {
        const std::size_t distance = common::editDistance(path, known);
        if (distance < bestDistance) {
            bestDistance = distance;
            best = known;
        }
    }
    if (best) {
        return best;
    }
    // A key given without its section ("mtls.enabled" for "global.mtls.enabled").
    const std::string suffix = "." + std::string(path);
    for (const std::string &known : m_knownKeys) {
        if (common::endsWith(known, suffix) && (!best || known.size() < best->size())) {
            best = known;
        }
    }
    return best;
}

common::Diagnostics HelmChart::unknownKeyNotes(const Node &supplied) const
{
    common::Diagnostics notes;
    for (const std::string &path : leafPaths(supplied)) {
        if (isKnownKey(path)) {
            continue;
        }
        std::string message = "simulator note: the " + m_name + " " + m_version +
                              " chart has no value " + path +
                              "; Helm 2 accepts it without a word, and nothing in the chart "
                              "reads it";
        if (const auto suggestion = suggestKey(path)) {
            message += ". Did you mean " + *suggestion + "?";
        }
        notes.push_back(
            Diagnostic{Severity::Info, "helm.unknown-key", std::move(message), {}, path});
    }
    return notes;
}

} // namespace meshcraft::core::config
