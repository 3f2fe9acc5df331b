// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/config/yaml_loader.h"

#include <map>
#include <sstream>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

namespace meshcraft::core::config {

namespace {

using common::Diagnostic;
using common::Severity;
using common::SourceLocation;

// Thrown inside the event handler to stop yaml-cpp once a limit is hit; caught in loadYaml.
struct StopParsing
{
};

Mark toMark(const YAML::Mark &mark)
{
    if (mark.is_null()) {
        return Mark{};
    }
    return Mark{mark.line + 1, mark.column + 1};
}

// Builds our Node tree from yaml-cpp's events, with an explicit stack instead of recursion.
class TreeBuilder : public YAML::EventHandler
{
public:
    TreeBuilder(const std::string &fileName, const YamlLimits &limits,
                common::Diagnostics &diagnostics)
        : m_fileName(fileName), m_limits(limits), m_diagnostics(diagnostics)
    {
    }

    Node takeRoot() { return std::move(m_root); }
    bool hasRoot() const { return m_hasRoot; }
    Mark rootMark() const { return m_rootMark; }

    void reset()
    {
        m_root = Node{};
        m_hasRoot = false;
        m_stack.clear();
    }

    // Interface
    void OnDocumentStart(const YAML::Mark &) override {}
    void OnDocumentEnd() override {}

    void OnNull(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        Node node;
        node.mark = toMark(mark);
        remember(anchor, node);
        addValue(std::move(node));
    }

    void OnAlias(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        const auto found = m_anchors.find(anchor);
        if (found == m_anchors.end()) {
            fail(toMark(mark), "yaml.unknown-alias", "unknown anchor referenced by alias");
        }
        const std::size_t size = found->second.subtreeSize();
        m_aliasNodes += size;
        if (m_aliasNodes > m_limits.maxAliasNodes) {
            fail(toMark(mark), "yaml.alias-budget",
                 "aliases expand to more than " + std::to_string(m_limits.maxAliasNodes) +
                     " nodes; refusing to expand further (is this an alias bomb?)");
        }
        count(toMark(mark), size);
        Node copy = found->second;
        addValue(std::move(copy));
    }

    void OnScalar(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                  const std::string &value) override
    {
        Node node;
        node.kind = NodeKind::Scalar;
        node.scalar = value;
        node.mark = toMark(mark);
        // yaml-cpp gives "!" to quoted and block scalars (non-specific tag), "?" to plain ones.
        node.quoted = tag == "!";
        if (tag != "!" && tag != "?") {
            node.tag = normaliseTag(tag);
            node.quoted = node.tag == "!!str";
        }
        remember(anchor, node);
        addValue(std::move(node));
    }

    void OnSequenceStart(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override
    {
        startCollection(mark, tag, anchor, NodeKind::Sequence);
    }

    void OnSequenceEnd() override { endCollection(); }

    void OnMapStart(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override
    {
        startCollection(mark, tag, anchor, NodeKind::Map);
    }

    void OnMapEnd() override
    {
        if (!m_stack.empty() && m_stack.back().haveKey) {
            // A key with no value cannot happen in valid YAML, but stay defensive.
            m_stack.back().haveKey = false;
        }
        if (!m_stack.empty()) {
            applyMergeKeys(*m_stack.back().node);
        }
        endCollection();
    }

private:
    struct Frame
    {
        Node *node;
        YAML::anchor_t anchor;
        bool haveKey = false;
        std::string key;
        Mark keyMark;
    };

    static std::string normaliseTag(const std::string &tag)
    {
        const std::string prefix = "tag:yaml.org,2002:";
        if (tag.rfind(prefix, 0) == 0) {
            return "!!" + tag.substr(prefix.size());
        }
        return tag;
    }

    [[noreturn]] void fail(Mark mark, const char *code, std::string message)
    {
        m_diagnostics.push_back(Diagnostic{Severity::Error, code, std::move(message),
                                           SourceLocation{m_fileName, mark.line, mark.column},
                                           {}});
        throw StopParsing{};
    }

    void count(Mark mark, std::size_t nodes)
    {
        // yaml-cpp 0.7 can loop forever on some malformed input (a stream starting with ','),
        // emitting nulls at one position; real YAML never puts that many nodes at one spot.
        if (mark == m_lastMark && mark.line > 0) {
            if (++m_nodesAtLastMark > MaxNodesAtOnePosition) {
                fail(mark, "yaml.syntax",
                     "the YAML parser made no progress at this position; the text is not valid "
                     "YAML here (a stray ',' outside [ ] or { }?)");
            }
        } else {
            m_lastMark = mark;
            m_nodesAtLastMark = 0;
        }
        m_nodes += nodes;
        if (m_nodes > m_limits.maxNodes) {
            fail(mark, "yaml.too-large",
                 "the document has more than " + std::to_string(m_limits.maxNodes) + " nodes");
        }
    }

    void remember(YAML::anchor_t anchor, const Node &node)
    {
        if (anchor != YAML::NullAnchor) {
            m_anchors[anchor] = node;
        }
    }

    void startCollection(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                         NodeKind kind)
    {
        if (m_stack.size() >= m_limits.maxDepth) {
            fail(toMark(mark), "yaml.too-deep",
                 "the document nests deeper than " + std::to_string(m_limits.maxDepth) +
                     " levels");
        }
        Node node;
        node.kind = kind;
        node.mark = toMark(mark);
        if (tag != "?" && tag != "!" && !tag.empty()) {
            node.tag = normaliseTag(tag);
        }
        Node *placed = addValue(std::move(node));
        m_stack.push_back(Frame{placed, anchor, false, {}, {}});
    }

    void endCollection()
    {
        if (m_stack.empty()) {
            return;
        }
        const Frame frame = m_stack.back();
        m_stack.pop_back();
        remember(frame.anchor, *frame.node);
    }

    // Places a finished (or just-started) value in its parent and returns where it now lives.
    // Pointers stay valid: a parent's vector only grows after its open child is popped.
    Node *addValue(Node node)
    {
        count(node.mark, 1);
        if (m_stack.empty()) {
            m_root = std::move(node);
            m_hasRoot = true;
            m_rootMark = m_root.mark;
            return &m_root;
        }
        Frame &top = m_stack.back();
        if (top.node->kind == NodeKind::Sequence) {
            top.node->items.push_back(std::move(node));
            return &top.node->items.back();
        }
        if (!top.haveKey) {
            if (node.kind == NodeKind::Map || node.kind == NodeKind::Sequence) {
                fail(node.mark, "yaml.complex-key", "a mapping key must be a scalar");
            }
            top.haveKey = true;
            top.key = node.isNull() ? std::string() : node.scalar;
            top.keyMark = node.mark;
            // A key's placeholder: collections as keys were refused above, so nothing nests.
            return nullptr;
        }
        top.haveKey = false;
        for (const MapEntry &entry : top.node->entries) {
            if (entry.key == top.key) {
                fail(top.keyMark, "yaml.duplicate-key",
                     "mapping key \"" + top.key + "\" already defined at line " +
                         std::to_string(entry.keyMark.line));
            }
        }
        top.node->entries.push_back(MapEntry{top.key, top.keyMark, std::move(node)});
        return &top.node->entries.back().value;
    }

    // YAML merge keys (`<<: *base`), which Kubernetes' reader honours: keys already present win.
    // Applied when the map is complete, so the merged value is complete too.
    static void applyMergeKeys(Node &map)
    {
        for (std::size_t i = 0; i < map.entries.size(); ++i) {
            if (map.entries[i].key != "<<" ||
                (!map.entries[i].value.isMap() && !map.entries[i].value.isSequence())) {
                continue;
            }
            Node source = std::move(map.entries[i].value);
            map.entries.erase(map.entries.begin() + static_cast<std::ptrdiff_t>(i));
            merge(map, source);
            --i;
        }
    }

    static void merge(Node &target, const Node &source)
    {
        const auto mergeOne = [&target](const Node &map) {
            if (!map.isMap()) {
                return;
            }
            for (const MapEntry &entry : map.entries) {
                if (!target.find(entry.key)) {
                    target.entries.push_back(entry);
                }
            }
        };
        if (source.isMap()) {
            mergeOne(source);
        } else {
            for (const Node &item : source.items) {
                mergeOne(item);
            }
        }
    }

    const std::string &m_fileName;
    const YamlLimits &m_limits;
    common::Diagnostics &m_diagnostics;
    Node m_root;
    bool m_hasRoot = false;
    Mark m_rootMark;
    std::vector<Frame> m_stack;
    std::map<YAML::anchor_t, Node> m_anchors;
    std::size_t m_nodes = 0;
    std::size_t m_aliasNodes = 0;
    static constexpr std::size_t MaxNodesAtOnePosition = 1000;
    Mark m_lastMark;
    std::size_t m_nodesAtLastMark = 0;
};

// Input that is not UTF-8 text gets a plain diagnostic before yaml-cpp ever sees it.
bool checkText(std::string_view text, const std::string &fileName,
               common::Diagnostics &diagnostics)
{
    int line = 1;
    int column = 1;
    for (std::size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        std::size_t length = 1;
        bool valid = true;
        if (byte == 0 || (byte < 0x20 && byte != '\n' && byte != '\r' && byte != '\t')) {
            valid = false;
        } else if (byte >= 0x80) {
            if ((byte & 0xE0) == 0xC0 && byte >= 0xC2) {
                length = 2;
            } else if ((byte & 0xF0) == 0xE0) {
                length = 3;
            } else if ((byte & 0xF8) == 0xF0 && byte <= 0xF4) {
                length = 4;
            } else {
                valid = false;
            }
            for (std::size_t k = 1; valid && k < length; ++k) {
                valid = i + k < text.size() &&
                        (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
            }
        }
        if (!valid) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", byte);
            diagnostics.push_back(
                Diagnostic{Severity::Error, "yaml.binary",
                           std::string("the input is not YAML text: byte ") + hex +
                               " is not allowed here (expected UTF-8 text)",
                           SourceLocation{fileName, line, column}, {}});
            return false;
        }
        if (byte == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
        i += length;
    }
    return true;
}

// YAML forbids tabs in indentation; yaml-cpp's own message for it is obscure, so say it plainly.
// Lines inside block scalars (after `|` or `>`) may hold tabs and are skipped.
bool checkTabs(std::string_view text, const std::string &fileName,
               common::Diagnostics &diagnostics)
{
    int lineNumber = 0;
    int blockIndent = -1; // indentation of the line that opened a block scalar, or -1
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view line = text.substr(start, end - start);
        ++lineNumber;
        std::size_t indent = 0;
        while (indent < line.size() && line[indent] == ' ') {
            ++indent;
        }
        const bool blank = line.find_first_not_of(" \t\r") == std::string_view::npos;
        if (blockIndent >= 0 && (blank || static_cast<int>(indent) > blockIndent)) {
            start = end + 1;
            continue;
        }
        blockIndent = -1;
        if (!blank && indent < line.size() && line[indent] == '\t') {
            diagnostics.push_back(Diagnostic{
                Severity::Error, "yaml.tab-indent",
                "found a tab character where indentation is expected; YAML indents with "
                "spaces only",
                SourceLocation{fileName, lineNumber, static_cast<int>(indent) + 1}, {}});
            return false;
        }
        std::string_view trimmed = line;
        while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\r')) {
            trimmed.remove_suffix(1);
        }
        if (const auto hash = trimmed.find(" #"); hash != std::string_view::npos) {
            trimmed = trimmed.substr(0, hash);
            while (!trimmed.empty() && trimmed.back() == ' ') {
                trimmed.remove_suffix(1);
            }
        }
        std::size_t k = trimmed.size();
        while (k > 0 && (trimmed[k - 1] == '-' || trimmed[k - 1] == '+' ||
                         (trimmed[k - 1] >= '0' && trimmed[k - 1] <= '9'))) {
            --k;
        }
        if (k > 0 && (trimmed[k - 1] == '|' || trimmed[k - 1] == '>') &&
            (k == 1 || trimmed[k - 2] == ' ')) {
            blockIndent = static_cast<int>(indent);
        }
        start = end + 1;
    }
    return true;
}

std::string describeParserError(const std::string &message)
{
    if (message == "bad file" || message.find("exceeded maximum") != std::string::npos ||
        message.find("recursion") != std::string::npos) {
        return "the document nests too deeply to read";
    }
    return message;
}

} // namespace

YamlLoadResult loadYaml(std::string_view text, const std::string &fileName,
                        const YamlLimits &limits)
{
    YamlLoadResult result;
    if (!checkText(text, fileName, result.diagnostics) ||
        !checkTabs(text, fileName, result.diagnostics)) {
        return result;
    }
    std::istringstream stream{std::string(text)};
    TreeBuilder builder(fileName, limits, result.diagnostics);
    int index = 0;
    try {
        YAML::Parser parser(stream);
        while (true) {
            builder.reset();
            if (!parser.HandleNextDocument(builder)) {
                break;
            }
            if (builder.hasRoot()) {
                Node root = builder.takeRoot();
                if (!root.isNullValue()) {
                    result.documents.push_back(YamlDocument{std::move(root), index,
                                                            builder.rootMark()});
                }
            }
            ++index;
        }
    } catch (const StopParsing &) {
        // The diagnostic is already recorded.
    } catch (const YAML::DeepRecursion &error) {
        const Mark mark = toMark(error.mark);
        result.diagnostics.push_back(Diagnostic{
            Severity::Error, "yaml.too-deep",
            "the document nests deeper than " + std::to_string(limits.maxDepth) + " levels",
            SourceLocation{fileName, mark.line, mark.column}, {}});
    } catch (const YAML::ParserException &error) {
        const Mark mark = toMark(error.mark);
        result.diagnostics.push_back(Diagnostic{Severity::Error, "yaml.syntax",
                                                describeParserError(error.msg),
                                                SourceLocation{fileName, mark.line, mark.column},
                                                {}});
    } catch (const std::exception &error) {
        result.diagnostics.push_back(Diagnostic{Severity::Error, "yaml.syntax",
                                                describeParserError(error.what()),
                                                SourceLocation{fileName, 1, 1}, {}});
    }
    return result;
}

} // namespace meshcraft::core::config
