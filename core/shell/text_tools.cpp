// SPDX-License-Identifier: GPL-3.0-or-later
// The text and file tools of the terminal: cat, ls, grep, sed, head, tail, wc, mkdir, rm, touch,
// cp, mv. They follow GNU coreutils' wording on the host and busybox's in a pod.
#include "core/common/text.h"
#include "core/shell/command_util.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <regex>
#include <variant>

namespace meshcraft::core::shell::detail {

CommandStatus invalidOption(CommandContext &ctx, std::string_view tool, char option, int status)
{
    const std::string name(tool);
    if (isAsh(ctx)) {
        ctx.err().write(name + ": invalid option -- '" + std::string(1, option) + "'\n");
    } else {
        ctx.err().write(name + ": invalid option -- '" + std::string(1, option) + "'\nTry '" +
                        name + " --help' for more information.\n");
    }
    return CommandStatus::exited(status);
}

std::vector<std::string_view> splitLines(std::string_view text)
{
    std::vector<std::string_view> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            lines.push_back(text.substr(pos));
            break;
        }
        lines.push_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    return lines;
}

std::optional<std::size_t> parseCount(std::string_view text)
{
    std::size_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

namespace {

using MessageFormat = std::function<std::string(const std::string &file, std::string_view reason)>;

std::vector<Input> readInputsWith(CommandContext &ctx, std::string_view tool,
                                  const std::vector<std::string> &files, bool &failed,
                                  const MessageFormat &format)
{
    std::vector<Input> inputs;
    if (files.empty()) {
        inputs.push_back(Input{"-", std::string(ctx.stdinText())});
        return inputs;
    }
    for (const std::string &file : files) {
        FsResult<std::string> text = ctx.readFile(file);
        if (!text) {
            ctx.err().write(std::string(tool) + ": " + format(file, text.error().description()) +
                            "\n");
            failed = true;
            continue;
        }
        inputs.push_back(Input{file, std::move(*text)});
    }
    return inputs;
}

std::string plainMessage(const std::string &file, std::string_view reason)
{
    return file + ": " + std::string(reason);
}

/// Short options, GNU style: clusters (-io), values (-n 5, -n5), options after operands.
struct Options
{
    std::string flags;
    std::map<char, std::vector<std::string>> values;
    std::vector<std::string> operands;
    std::optional<char> invalid;
    std::optional<std::string> unrecognized; ///< A long option we do not know
    std::optional<char> missingValue;

    bool has(char flag) const { return flags.find(flag) != std::string::npos; }
    std::optional<std::string> last(char option) const
    {
        const auto it = values.find(option);
        return it == values.end() || it->second.empty() ? std::nullopt
                                                        : std::optional(it->second.back());
    }
};

Options parseOptions(const std::vector<std::string> &args, std::string_view known,
                     std::string_view withValue,
                     const std::map<std::string, char, std::less<>> &longOptions = {})
{
    Options options;
    bool operandsOnly = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string &arg = args[i];
        if (operandsOnly || arg.size() < 2 || arg[0] != '-') {
            options.operands.push_back(arg);
            continue;
        }
        if (arg == "--") {
            operandsOnly = true;
            continue;
        }
        if (common::startsWith(arg, "--")) {
            const std::size_t eq = arg.find('=');
            const auto it = longOptions.find(std::string_view(arg).substr(0, eq));
            if (it == longOptions.end()) {
                options.unrecognized = arg;
                return options;
            }
            if (withValue.find(it->second) != std::string_view::npos) {
                if (eq != std::string::npos) {
                    options.values[it->second].push_back(arg.substr(eq + 1));
                } else if (i + 1 < args.size()) {
                    options.values[it->second].push_back(args[++i]);
                } else {
                    options.missingValue = it->second;
                }
            } else {
                options.flags += it->second;
            }
            continue;
        }
        for (std::size_t k = 1; k < arg.size(); ++k) {
            const char c = arg[k];
            if (withValue.find(c) != std::string_view::npos) {
                if (k + 1 < arg.size()) {
                    options.values[c].push_back(arg.substr(k + 1));
                } else if (i + 1 < args.size()) {
                    options.values[c].push_back(args[++i]);
                } else {
                    options.missingValue = c;
                }
                break;
            }
            if (known.find(c) == std::string_view::npos) {
                options.invalid = c;
                return options;
            }
            options.flags += c;
        }
    }
    return options;
}

/// Reports a parse problem the GNU way; nullopt if there was none.
std::optional<CommandStatus> optionError(CommandContext &ctx, std::string_view tool,
                                         const Options &options, int status)
{
    if (options.invalid) {
        return invalidOption(ctx, tool, *options.invalid, status);
    }
    if (options.unrecognized) {
        ctx.err().write(std::string(tool) + ": unrecognized option '" + *options.unrecognized +
                        "'\nTry '" + std::string(tool) + " --help' for more information.\n");
        return CommandStatus::exited(status);
    }
    if (options.missingValue) {
        ctx.err().write(std::string(tool) + ": option requires an argument -- '" +
                        std::string(1, *options.missingValue) + "'\nTry '" + std::string(tool) +
                        " --help' for more information.\n");
        return CommandStatus::exited(status);
    }
    return std::nullopt;
}

/// GNU basic regular expressions (with \+ \? \|) rewritten as extended ones for std::regex.
std::string basicToExtended(std::string_view pattern)
{
    std::string out;
    bool inBracket = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (inBracket) {
            out += c;
            if (c == ']' && out.size() > 1 && out[out.size() - 2] != '[') {
                inBracket = false;
            }
            continue;
        }
        if (c == '[') {
            inBracket = true;
            out += c;
            if (i + 1 < pattern.size() && pattern[i + 1] == '^') {
                out += pattern[++i];
            }
            if (i + 1 < pattern.size() && pattern[i + 1] == ']') {
                out += pattern[++i];
            }
            continue;
        }
        if (c == '\\' && i + 1 < pattern.size()) {
            const char next = pattern[++i];
            if (std::string_view("(){}+?|").find(next) != std::string_view::npos) {
                out += next;
            } else {
                out += '\\';
                out += next;
            }
            continue;
        }
        if (std::string_view("(){}+?|").find(c) != std::string_view::npos) {
            out += '\\';
        }
        out += c;
    }
    return out;
}

std::string escapeRegex(std::string_view text)
{
    std::string out;
    for (const char c : text) {
        if (std::string_view(".[]{}()\\*+?|^$").find(c) != std::string_view::npos) {
            out += '\\';
        }
        out += c;
    }
    return out;
}

/// GNU's wording for the common regex mistakes.
std::string regexErrorText(const std::regex_error &error)
{
    switch (error.code()) {
    case std::regex_constants::error_brack:
        return "Unmatched [, [^, [:, [., or [=";
    case std::regex_constants::error_paren:
        return "Unmatched ( or \\(";
    case std::regex_constants::error_brace:
        return "Unmatched \\{";
    default:
        return "Invalid regular expression";
    }
}

std::regex compileRegex(std::string_view pattern, bool extended, bool ignoreCase)
{
    auto flags = std::regex::extended;
    if (ignoreCase) {
        flags |= std::regex::icase;
    }
    return std::regex(extended ? std::string(pattern) : basicToExtended(pattern), flags);
}

using SvMatch = std::match_results<std::string_view::const_iterator>;

/// libstdc++'s regex matcher recurses once per character: a very long line would overflow the
/// stack and take the app down, so grep and sed refuse such lines instead. 8 MB of stack (a
/// main thread's) holds about 30000; real lines here (YAML, even annotations) are far shorter.
constexpr std::size_t MaxRegexLine = 8192;

std::string lineTooLong(std::size_t lineNumber)
{
    return "line " + std::to_string(lineNumber) + " is longer than " +
           std::to_string(MaxRegexLine) +
           " characters, too long for this terminal's pattern "
           "matching";
}

// ---- cat -----------------------------------------------------------------------------------

CommandStatus cat(CommandContext &ctx)
{
    const Options options = parseOptions(ctx.args(), "nAsuv", "");
    if (auto error = optionError(ctx, "cat", options, 1)) {
        return *error;
    }
    bool failed = false;
    const MessageFormat format =
        isAsh(ctx) ? MessageFormat([](const std::string &file, std::string_view reason) {
            return "can't open '" + file + "': " + std::string(reason);
        })
                   : MessageFormat(plainMessage);
    std::string out;
    std::size_t number = 0;
    for (const Input &input : readInputsWith(ctx, "cat", options.operands, failed, format)) {
        if (!options.has('n')) {
            out += input.text;
            continue;
        }
        const auto lines = splitLines(input.text);
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const std::string n = std::to_string(++number);
            out += std::string(n.size() < 6 ? 6 - n.size() : 0, ' ') + n + "\t" +
                   std::string(lines[i]);
            if (i + 1 < lines.size() || input.text.ends_with('\n')) {
                out += '\n';
            }
        }
    }
    ctx.out().write(out);
    return CommandStatus::exited(failed ? 1 : 0);
}

// ---- ls ------------------------------------------------------------------------------------

std::string longLine(const DirEntry &entry, const std::string &owner, std::size_t sizeWidth)
{
    const std::string size = std::to_string(entry.isDirectory ? 4096 : entry.size);
    return std::string(entry.isDirectory ? "drwxr-xr-x 2 " : "-rw-r--r-- 1 ") + owner + " " +
           owner + " " + std::string(sizeWidth > size.size() ? sizeWidth - size.size() : 0, ' ') +
           size + " Sep 23 10:00 " + entry.name + "\n";
}

std::string formatListing(const std::vector<DirEntry> &entries, bool longFormat, bool onePerLine,
                          const std::string &owner, bool withTotal)
{
    std::string out;
    if (longFormat) {
        std::size_t width = 0;
        std::size_t blocks = 0;
        for (const DirEntry &entry : entries) {
            width = std::max(width, std::to_string(entry.isDirectory ? 4096 : entry.size).size());
            blocks += entry.isDirectory ? 4 : (entry.size + 4095) / 4096 * 4;
        }
        if (withTotal) {
            out += "total " + std::to_string(blocks) + "\n";
        }
        for (const DirEntry &entry : entries) {
            out += longLine(entry, owner, width);
        }
        return out;
    }
    if (entries.empty()) {
        return out;
    }
    if (onePerLine) {
        for (const DirEntry &entry : entries) {
            out += entry.name + "\n";
        }
        return out;
    }
    // One row when it fits in 80 columns, as ls does on a wide terminal; else one per line.
    std::size_t total = 0;
    for (const DirEntry &entry : entries) {
        total += entry.name.size() + 2;
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        out += entries[i].name;
        out += i + 1 < entries.size() ? (total <= 80 ? "  " : "\n") : "\n";
    }
    return out;
}

CommandStatus ls(CommandContext &ctx)
{
    const Options options =
        parseOptions(ctx.args(), "laA1dFh", "", {{"--all", 'a'}, {"--almost-all", 'A'}});
    if (auto error = optionError(ctx, "ls", options, 2)) {
        return *error;
    }
    const bool longFormat = options.has('l');
    const bool onePerLine = options.has('1') || !ctx.stdoutIsTerminal();
    const std::string owner =
        ctx.env().value("USER").empty() ? std::string("root") : ctx.env().value("USER");
    std::vector<std::string> targets = options.operands;
    if (targets.empty()) {
        targets.push_back(".");
    }
    int status = 0;
    std::vector<DirEntry> files;
    std::vector<std::pair<std::string, std::vector<DirEntry>>> folders;
    for (const std::string &target : targets) {
        const std::string path = ctx.resolvePath(target);
        auto listed = ctx.fs().list(path);
        if (!listed) {
            ctx.err().write(isAsh(ctx) ? "ls: " + target + ": No such file or directory\n"
                                       : "ls: cannot access '" + target +
                                             "': No such file or directory\n");
            status = isAsh(ctx) ? 1 : 2;
            continue;
        }
        if (!ctx.fs().isDirectory(path) || options.has('d')) {
            DirEntry entry = ctx.fs().isDirectory(path) ? DirEntry{target, true, 0} : (*listed)[0];
            entry.name = target;
            files.push_back(entry);
            continue;
        }
        std::vector<DirEntry> shown;
        if (options.has('a')) {
            shown.push_back(DirEntry{".", true, 0});
            shown.push_back(DirEntry{"..", true, 0});
        }
        for (DirEntry &entry : *listed) {
            if (entry.name[0] != '.' || options.has('a') || options.has('A')) {
                shown.push_back(std::move(entry));
            }
        }
        folders.emplace_back(target, std::move(shown));
    }
    std::string out = formatListing(files, longFormat, onePerLine, owner, false);
    const bool headers = folders.size() + files.size() > 1;
    for (std::size_t i = 0; i < folders.size(); ++i) {
        if (headers) {
            out += (i > 0 || !files.empty() ? "\n" : "") + folders[i].first + ":\n";
        }
        out += formatListing(folders[i].second, longFormat, onePerLine, owner, true);
    }
    ctx.out().write(out);
    return CommandStatus::exited(status);
}

// ---- grep ----------------------------------------------------------------------------------

CommandStatus grep(CommandContext &ctx)
{
    const Options options = parseOptions(ctx.args(), "ivocnqEFxhHlsGw", "e",
                                         {{"--ignore-case", 'i'},
                                          {"--invert-match", 'v'},
                                          {"--only-matching", 'o'},
                                          {"--count", 'c'},
                                          {"--line-number", 'n'},
                                          {"--quiet", 'q'},
                                          {"--silent", 'q'},
                                          {"--extended-regexp", 'E'},
                                          {"--fixed-strings", 'F'},
                                          {"--line-regexp", 'x'},
                                          {"--files-with-matches", 'l'},
                                          {"--regexp", 'e'},
                                          {"--no-filename", 'h'},
                                          {"--with-filename", 'H'},
                                          {"--no-messages", 's'},
                                          {"--word-regexp", 'w'}});
    if (auto error = optionError(ctx, "grep", options, 2)) {
        return *error;
    }
    std::vector<std::string> patterns;
    std::vector<std::string> files = options.operands;
    if (const auto it = options.values.find('e'); it != options.values.end()) {
        patterns = it->second;
    } else if (!files.empty()) {
        patterns.push_back(files.front());
        files.erase(files.begin());
    } else {
        ctx.err().write(isAsh(ctx) ? "BusyBox v1.36.1 multi-call binary.\n\nUsage: grep "
                                     "[-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e "
                                     "PATTERN... | -f FILE... } [FILE]...\n"
                                   : "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep "
                                     "--help' for more information.\n");
        return CommandStatus::exited(2);
    }
    std::vector<std::regex> regexes;
    try {
        for (const std::string &pattern : patterns) {
            for (const std::string_view one :
                 splitLines(pattern.empty() ? std::string_view("\n") : pattern)) {
                std::string text = options.has('F') ? escapeRegex(one) : std::string(one);
                if (options.has('w')) {
                    text =
                        (options.has('E') ? "(^|[^[:alnum:]_])(" : "\\(^\\|[^[:alnum:]_]\\)\\(") +
                        text +
                        (options.has('E') ? ")($|[^[:alnum:]_])" : "\\)\\($\\|[^[:alnum:]_]\\)");
                }
                regexes.push_back(
                    compileRegex(text, options.has('E') || options.has('F'), options.has('i')));
            }
            if (pattern.empty()) {
                regexes.push_back(compileRegex("", true, false));
            }
        }
    } catch (const std::regex_error &error) {
        ctx.err().write("grep: " + regexErrorText(error) + "\n");
        return CommandStatus::exited(2);
    }
    bool failed = false;
    const std::vector<Input> inputs = readInputsWith(
        ctx, "grep", files, failed,
        options.has('s')
            ? MessageFormat([](const std::string &, std::string_view) { return std::string(); })
            : MessageFormat(plainMessage));
    const bool names = !options.has('h') && (options.has('H') || files.size() > 1);
    bool any = false;
    std::string out;
    for (const Input &input : inputs) {
        const std::string name = input.name == "-" ? "(standard input)" : input.name;
        const std::string prefix = names ? name + ":" : std::string();
        std::size_t count = 0;
        const auto lines = splitLines(input.text);
        for (std::size_t n = 0; n < lines.size(); ++n) {
            const std::string_view line = lines[n];
            if (line.size() > MaxRegexLine) {
                ctx.out().write(out);
                return fail(ctx, "grep", lineTooLong(n + 1), 2);
            }
            bool matched = false;
            for (const std::regex &regex : regexes) {
                matched = options.has('x') ? std::regex_match(line.begin(), line.end(), regex)
                                           : std::regex_search(line.begin(), line.end(), regex);
                if (matched) {
                    break;
                }
            }
            if (matched == options.has('v')) {
                continue;
            }
            ++count;
            any = true;
            if (options.has('q')) {
                return CommandStatus::exited(0);
            }
            if (options.has('l')) {
                out += name + "\n";
                break;
            }
            if (options.has('c')) {
                continue;
            }
            const std::string lineNumber = options.has('n') ? std::to_string(n + 1) + ":" : "";
            if (!options.has('o') || options.has('v')) {
                if (!options.has('o')) {
                    out += prefix + lineNumber + std::string(line) + "\n";
                }
                continue;
            }
            // Every non-empty match, leftmost first across the patterns.
            auto pos = line.begin();
            while (pos != line.end()) {
                SvMatch best;
                for (const std::regex &regex : regexes) {
                    SvMatch match;
                    const auto flags = pos == line.begin() ? std::regex_constants::match_default
                                                           : std::regex_constants::match_prev_avail;
                    if (std::regex_search(pos, line.end(), match, regex, flags) &&
                        (best.empty() || match[0].first < best[0].first ||
                         (match[0].first == best[0].first &&
                          match[0].length() > best[0].length()))) {
                        best = match;
                    }
                }
                if (best.empty()) {
                    break;
                }
                if (best[0].length() > 0) {
                    out += prefix + lineNumber + best[0].str() + "\n";
                    pos = best[0].second;
                } else {
                    pos = best[0].second == line.end() ? line.end() : best[0].second + 1;
                }
            }
        }
        if (options.has('c')) {
            out += prefix + std::to_string(count) + "\n";
        }
    }
    ctx.out().write(out);
    if (failed && !(options.has('q') && any)) {
        return CommandStatus::exited(2);
    }
    return CommandStatus::exited(any ? 0 : 1);
}

// ---- sed -----------------------------------------------------------------------------------

struct Substitution
{
    std::regex regex;
    std::string replacement;
    bool global = false;
    bool print = false;
    std::size_t occurrence = 0; ///< s///2: only the second match
};

struct SedScriptError
{
    std::size_t position; ///< 1-based char, as GNU sed counts
    std::string message;
};

/// Reads `s/regex/replacement/flags` commands separated by ';' or newlines.
std::variant<std::vector<Substitution>, SedScriptError> parseSedScript(std::string_view script,
                                                                       bool extended)
{
    std::vector<Substitution> commands;
    std::size_t pos = 0;
    while (true) {
        while (pos < script.size() &&
               (script[pos] == ';' || script[pos] == '\n' || script[pos] == ' ')) {
            ++pos;
        }
        if (pos >= script.size()) {
            return commands;
        }
        if (script[pos] != 's') {
            return SedScriptError{pos + 1,
                                  "unknown command: `" + std::string(1, script[pos]) + "'"};
        }
        ++pos;
        if (pos >= script.size() || script[pos] == '\n' || script[pos] == '\\') {
            return SedScriptError{pos, "unterminated `s' command"};
        }
        const char delimiter = script[pos++];
        std::string parts[2];
        for (std::string &part : parts) {
            bool closed = false;
            while (pos < script.size()) {
                const char c = script[pos++];
                if (c == '\\' && pos < script.size()) {
                    const char next = script[pos++];
                    if (next == delimiter) {
                        part += next;
                    } else {
                        part += '\\';
                        part += next;
                    }
                } else if (c == delimiter) {
                    closed = true;
                    break;
                } else {
                    part += c;
                }
            }
            if (!closed) {
                return SedScriptError{script.size(), "unterminated `s' command"};
            }
        }
        Substitution command;
        command.replacement = parts[1];
        bool icase = false;
        while (pos < script.size() && script[pos] != ';' && script[pos] != '\n' &&
               script[pos] != '}') {
            const char flag = script[pos++];
            if (flag == 'g') {
                command.global = true;
            } else if (flag == 'p') {
                command.print = true;
            } else if (flag == 'i' || flag == 'I') {
                icase = true;
            } else if (flag >= '1' && flag <= '9') {
                command.occurrence = command.occurrence * 10 + static_cast<std::size_t>(flag - '0');
            } else if (flag == ' ') {
                continue;
            } else {
                return SedScriptError{pos, "unknown option to `s'"};
            }
        }
        try {
            command.regex = compileRegex(parts[0], extended, icase);
        } catch (const std::regex_error &error) {
            return SedScriptError{pos, regexErrorText(error)};
        }
        commands.push_back(std::move(command));
    }
}

std::string expandReplacement(const std::string &replacement, const SvMatch &match)
{
    std::string out;
    for (std::size_t i = 0; i < replacement.size(); ++i) {
        const char c = replacement[i];
        if (c == '&') {
            out += match[0].str();
        } else if (c == '\\' && i + 1 < replacement.size()) {
            const char next = replacement[++i];
            if (next >= '0' && next <= '9') {
                out += match[static_cast<std::size_t>(next - '0')].str();
            } else if (next == 'n') {
                out += '\n';
            } else if (next == 't') {
                out += '\t';
            } else {
                out += next;
            }
        } else {
            out += c;
        }
    }
    return out;
}

std::string substitute(const Substitution &command, std::string_view line, bool &replaced)
{
    std::string out;
    auto pos = line.begin();
    std::size_t seen = 0;
    auto flags = std::regex_constants::match_default;
    SvMatch match;
    bool afterMatch = false; // an empty match right after a match does not count (GNU)
    while (std::regex_search(pos, line.end(), match, command.regex, flags)) {
        if (match[0].length() == 0 && afterMatch && match[0].first == pos) {
            if (pos == line.end()) {
                break;
            }
            out += *pos++;
            afterMatch = false;
            flags = std::regex_constants::match_prev_avail;
            continue;
        }
        afterMatch = match[0].length() > 0;
        ++seen;
        const bool replaceThis = command.occurrence == 0 || seen >= command.occurrence;
        out.append(pos, match[0].first);
        if (replaceThis) {
            out += expandReplacement(command.replacement, match);
            replaced = true;
        } else {
            out.append(match[0].first, match[0].second);
        }
        pos = match[0].second;
        if (match[0].length() == 0) {
            if (pos == line.end()) {
                break;
            }
            out += *pos++;
        }
        if (replaceThis && !command.global) {
            break;
        }
        flags = std::regex_constants::match_prev_avail;
    }
    out.append(pos, line.end());
    return out;
}

/// The edited text, or nullopt with `tooLong` set to the first line too long to match.
std::optional<std::string> runSed(const std::vector<Substitution> &commands, std::string_view text,
                                  bool quiet, std::size_t &tooLong)
{
    std::string out;
    const auto lines = splitLines(text);
    for (std::size_t n = 0; n < lines.size(); ++n) {
        if (lines[n].size() > MaxRegexLine) {
            tooLong = n + 1;
            return std::nullopt;
        }
        std::string line(lines[n]);
        std::string printed;
        for (const Substitution &command : commands) {
            bool replaced = false;
            line = substitute(command, line, replaced);
            if (replaced && command.print) {
                printed += line + "\n";
            }
        }
        out += printed;
        if (!quiet) {
            out += line;
            if (n + 1 < lines.size() || text.ends_with('\n')) {
                out += '\n';
            }
        }
    }
    return out;
}

CommandStatus sed(CommandContext &ctx)
{
    // -i takes an optional suffix glued to it (-i.bak), which the generic parser cannot know.
    std::vector<std::string> args;
    bool inPlace = false;
    std::string suffix;
    for (std::size_t i = 0; i < ctx.args().size(); ++i) {
        const std::string &arg = ctx.args()[i];
        if (i > 0 && (common::startsWith(arg, "-i") || common::startsWith(arg, "--in-place"))) {
            inPlace = true;
            const std::size_t eq = arg.find('=');
            suffix = common::startsWith(arg, "-i") ? arg.substr(2)
                     : eq == std::string::npos     ? std::string()
                                                   : arg.substr(eq + 1);
            continue;
        }
        args.push_back(arg);
    }
    const Options options = parseOptions(
        args, "nErs", "e",
        {{"--quiet", 'n'}, {"--silent", 'n'}, {"--regexp-extended", 'E'}, {"--expression", 'e'}});
    if (auto error = optionError(ctx, "sed", options, 1)) {
        return *error;
    }
    std::vector<std::string> scripts;
    std::vector<std::string> files = options.operands;
    if (const auto it = options.values.find('e'); it != options.values.end()) {
        scripts = it->second;
    } else if (!files.empty()) {
        scripts.push_back(files.front());
        files.erase(files.begin());
    } else {
        ctx.err().write("Usage: sed [OPTION]... {script-only-if-no-other-script} "
                        "[input-file]...\n");
        return CommandStatus::exited(1);
    }
    std::vector<Substitution> commands;
    for (std::size_t i = 0; i < scripts.size(); ++i) {
        auto parsed = parseSedScript(scripts[i], options.has('E') || options.has('r'));
        if (auto *error = std::get_if<SedScriptError>(&parsed)) {
            return fail(ctx, "sed",
                        "-e expression #" + std::to_string(i + 1) + ", char " +
                            std::to_string(error->position) + ": " + error->message,
                        1);
        }
        auto &parsedCommands = std::get<std::vector<Substitution>>(parsed);
        std::move(parsedCommands.begin(), parsedCommands.end(), std::back_inserter(commands));
    }
    const bool quiet = options.has('n');
    if (inPlace && files.empty()) {
        return fail(ctx, "sed", "no input files", 1);
    }
    bool failed = false;
    const MessageFormat format = [](const std::string &file, std::string_view reason) {
        return "can't read " + file + ": " + std::string(reason);
    };
    std::size_t tooLong = 0;
    if (!inPlace) {
        std::string out;
        for (const Input &input : readInputsWith(ctx, "sed", files, failed, format)) {
            const auto edited = runSed(commands, input.text, quiet, tooLong);
            if (!edited) {
                ctx.out().write(out);
                return fail(ctx, "sed", lineTooLong(tooLong), 4);
            }
            out += *edited;
        }
        ctx.out().write(out);
        return CommandStatus::exited(failed ? 2 : 0);
    }
    for (const std::string &file : files) {
        const std::string path = ctx.resolvePath(file);
        if (ctx.fs().isDirectory(path)) {
            ctx.err().write("sed: couldn't edit " + file + ": not a regular file\n");
            failed = true;
            continue;
        }
        FsResult<std::string> text = ctx.fs().readFile(path);
        if (!text) {
            ctx.err().write("sed: " + format(file, text.error().description()) + "\n");
            failed = true;
            continue;
        }
        if (!suffix.empty()) {
            (void)ctx.fs().writeFile(path + suffix, *text);
        }
        const auto edited = runSed(commands, *text, quiet, tooLong);
        if (!edited) {
            return fail(ctx, "sed", file + ": " + lineTooLong(tooLong), 4);
        }
        if (*edited != *text) {
            (void)ctx.fs().writeFile(path, *edited);
        }
    }
    return CommandStatus::exited(failed ? 2 : 0);
}

// ---- head, tail, wc ------------------------------------------------------------------------

/// `-5` is `-n 5` for head and tail.
std::vector<std::string> expandNumericOption(const std::vector<std::string> &args)
{
    std::vector<std::string> result;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (i > 0 && args[i].size() > 1 && args[i][0] == '-' && parseCount(args[i].substr(1))) {
            result.push_back("-n");
            result.push_back(args[i].substr(1));
        } else {
            result.push_back(args[i]);
        }
    }
    return result;
}

CommandStatus headOrTail(CommandContext &ctx, bool head)
{
    const std::string tool = head ? "head" : "tail";
    const Options options =
        parseOptions(expandNumericOption(ctx.args()), head ? "qv" : "qvf", "n", {{"--lines", 'n'}});
    if (auto error = optionError(ctx, tool, options, 1)) {
        return *error;
    }
    if (options.has('f')) {
        return fail(ctx, "tail",
                    "-f is not available in this terminal: files here change only when you "
                    "change them",
                    1);
    }
    std::size_t count = 10;
    bool fromStart = false; // tail -n +N
    if (const auto value = options.last('n')) {
        std::string_view text = *value;
        if (!head && common::startsWith(text, "+")) {
            fromStart = true;
            text.remove_prefix(1);
        }
        const auto parsed = parseCount(text);
        if (!parsed) {
            return fail(ctx, tool, "invalid number of lines: '" + *value + "'", 1);
        }
        count = *parsed;
    }
    bool failed = false;
    const MessageFormat format = [](const std::string &file, std::string_view reason) {
        return "cannot open '" + file + "' for reading: " + std::string(reason);
    };
    const std::vector<Input> inputs = readInputsWith(ctx, tool, options.operands, failed, format);
    const bool headers = (inputs.size() > 1 && !options.has('q')) || options.has('v');
    std::string out;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const Input &input = inputs[i];
        if (headers) {
            out += (i > 0 ? "\n==> " : "==> ") +
                   (input.name == "-" ? std::string("standard input") : input.name) + " <==\n";
        }
        // Line starts, so slices keep their own newlines (or lack of one).
        std::vector<std::size_t> starts;
        for (std::size_t pos = 0; pos < input.text.size();) {
            starts.push_back(pos);
            const std::size_t end = input.text.find('\n', pos);
            pos = end == std::string::npos ? input.text.size() : end + 1;
        }
        const std::size_t total = starts.size();
        std::size_t first = 0;
        std::size_t last = total;
        if (head) {
            last = std::min(count, total);
        } else if (fromStart) {
            first = std::min(count > 0 ? count - 1 : 0, total);
        } else {
            first = total > count ? total - count : 0;
        }
        if (first < last) {
            const std::size_t begin = starts[first];
            const std::size_t end = last < total ? starts[last] : input.text.size();
            out += input.text.substr(begin, end - begin);
        }
    }
    ctx.out().write(out);
    return CommandStatus::exited(failed ? 1 : 0);
}

CommandStatus wc(CommandContext &ctx)
{
    const Options options = parseOptions(ctx.args(), "lwcm", "",
                                         {{"--lines", 'l'}, {"--words", 'w'}, {"--bytes", 'c'}});
    if (auto error = optionError(ctx, "wc", options, 1)) {
        return *error;
    }
    bool lines = options.has('l');
    bool words = options.has('w');
    bool bytes = options.has('c') || options.has('m');
    if (!lines && !words && !bytes) {
        lines = words = bytes = true;
    }
    bool failed = false;
    const std::vector<Input> inputs =
        readInputsWith(ctx, "wc", options.operands, failed, MessageFormat(plainMessage));
    struct Counts
    {
        std::size_t lines = 0, words = 0, bytes = 0;
    };
    std::vector<Counts> counts;
    Counts total;
    for (const Input &input : inputs) {
        Counts c;
        c.lines = static_cast<std::size_t>(std::count(input.text.begin(), input.text.end(), '\n'));
        c.bytes = input.text.size();
        bool inWord = false;
        for (const char ch : input.text) {
            const bool space =
                ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
            c.words += (!space && !inWord) ? 1 : 0;
            inWord = !space;
        }
        total.lines += c.lines;
        total.words += c.words;
        total.bytes += c.bytes;
        counts.push_back(c);
    }
    // GNU pads every column to one width: 7 when stdin is read, else the widest total.
    const int selected = (lines ? 1 : 0) + (words ? 1 : 0) + (bytes ? 1 : 0);
    const bool readsStdin =
        options.operands.empty() ||
        std::find(options.operands.begin(), options.operands.end(), "-") != options.operands.end();
    std::size_t width = 1;
    if (selected > 1 || inputs.size() > 1) {
        width = readsStdin ? 7 : std::to_string(total.bytes).size();
    }
    const auto pad = [width](std::size_t value) {
        const std::string text = std::to_string(value);
        return std::string(width > text.size() ? width - text.size() : 0, ' ') + text;
    };
    const auto row = [&](const Counts &c, const std::string &name) {
        std::vector<std::string> cells;
        if (lines) {
            cells.push_back(pad(c.lines));
        }
        if (words) {
            cells.push_back(pad(c.words));
        }
        if (bytes) {
            cells.push_back(pad(c.bytes));
        }
        if (!name.empty() && name != "-") {
            cells.push_back(name);
        }
        return common::join(cells, " ") + "\n";
    };
    std::string out;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        out += row(counts[i], inputs[i].name);
    }
    if (inputs.size() > 1) {
        out += row(total, "total");
    }
    ctx.out().write(out);
    return CommandStatus::exited(failed ? 1 : 0);
}

// ---- mkdir, rm, touch, cp, mv --------------------------------------------------------------

CommandStatus mkdir(CommandContext &ctx)
{
    const Options options = parseOptions(ctx.args(), "pv", "", {{"--parents", 'p'}});
    if (auto error = optionError(ctx, "mkdir", options, 1)) {
        return *error;
    }
    if (options.operands.empty()) {
        return fail(ctx, "mkdir", "missing operand", 1);
    }
    int status = 0;
    for (const std::string &dir : options.operands) {
        if (auto made = ctx.fs().makeDirectory(ctx.resolvePath(dir), options.has('p')); !made) {
            ctx.err().write(std::string(isAsh(ctx) ? "mkdir: can't create directory '"
                                                   : "mkdir: cannot create directory '") +
                            dir + "': " + std::string(made.error().description()) + "\n");
            status = 1;
        }
    }
    return CommandStatus::exited(status);
}

CommandStatus rm(CommandContext &ctx)
{
    const Options options =
        parseOptions(ctx.args(), "rRfv", "", {{"--recursive", 'r'}, {"--force", 'f'}});
    if (auto error = optionError(ctx, "rm", options, 1)) {
        return *error;
    }
    const bool recursive = options.has('r') || options.has('R');
    int status = 0;
    for (const std::string &target : options.operands) {
        const std::string path = ctx.resolvePath(target);
        if (!ctx.fs().exists(path)) {
            if (!options.has('f')) {
                ctx.err().write("rm: cannot remove '" + target + "': No such file or directory\n");
                status = 1;
            }
            continue;
        }
        if (ctx.fs().isDirectory(path) && !recursive) {
            ctx.err().write("rm: cannot remove '" + target + "': Is a directory\n");
            status = 1;
            continue;
        }
        if (auto removed = ctx.fs().remove(path, true); !removed) {
            ctx.err().write("rm: cannot remove '" + target +
                            "': " + std::string(removed.error().description()) + "\n");
            status = 1;
        }
    }
    return CommandStatus::exited(status);
}

CommandStatus touch(CommandContext &ctx)
{
    int status = 0;
    for (std::size_t i = 1; i < ctx.args().size(); ++i) {
        const std::string &file = ctx.args()[i];
        const std::string path = ctx.resolvePath(file);
        if (ctx.fs().exists(path)) {
            continue;
        }
        if (auto made = ctx.fs().writeFile(path, {}); !made) {
            ctx.err().write("touch: cannot touch '" + file +
                            "': " + std::string(made.error().description()) + "\n");
            status = 1;
        }
    }
    return CommandStatus::exited(status);
}

CommandStatus copyOrMove(CommandContext &ctx, bool move)
{
    const std::string tool = move ? "mv" : "cp";
    const Options options = parseOptions(ctx.args(), "fv", "");
    if (auto error = optionError(ctx, tool, options, 1)) {
        return *error;
    }
    if (options.operands.size() != 2) {
        return fail(ctx, tool,
                    options.operands.empty()
                        ? "missing file operand"
                        : "this terminal copies one file at a time: " + tool + " SOURCE DEST",
                    1);
    }
    const std::string &source = options.operands[0];
    const std::string from = ctx.resolvePath(source);
    std::string to = ctx.resolvePath(options.operands[1]);
    if (!ctx.fs().exists(from)) {
        return fail(ctx, tool, "cannot stat '" + source + "': No such file or directory", 1);
    }
    if (move) {
        if (auto moved = ctx.fs().rename(from, to); !moved) {
            return fail(ctx, tool,
                        "cannot move '" + source + "': " + std::string(moved.error().description()),
                        1);
        }
        return CommandStatus::exited(0);
    }
    if (ctx.fs().isDirectory(from)) {
        return fail(ctx, tool, "-r not specified; omitting directory '" + source + "'", 1);
    }
    if (ctx.fs().isDirectory(to)) {
        to = VirtualFs::resolve(to, VirtualFs::baseName(from));
    }
    const FsResult<std::string> text = ctx.fs().readFile(from);
    if (!text) {
        return fail(ctx, tool, source + ": " + std::string(text.error().description()), 1);
    }
    if (auto written = ctx.fs().writeFile(to, *text); !written) {
        return fail(ctx, tool,
                    "cannot create regular file '" + options.operands[1] +
                        "': " + std::string(written.error().description()),
                    1);
    }
    return CommandStatus::exited(0);
}

void add(CommandRegistry &registry, std::string name, std::string summary,
         FunctionCommand::Function function)
{
    registry.add(std::make_shared<FunctionCommand>(std::move(name), std::move(summary),
                                                   std::move(function)));
}

} // namespace

void registerTextTools(CommandRegistry &registry, bool busybox)
{
    (void)busybox; // busybox has all of these as applets
    add(registry, "cat", "print files", cat);
    add(registry, "ls", "list a folder (-l long, -a hidden too)", ls);
    add(registry, "grep", "print lines that match a pattern (-o -i -v -E -c -n)", grep);
    add(registry, "sed", "edit text: sed 's/OLD/NEW/g' FILE, or in place with -i", sed);
    add(registry, "head", "print the first lines (-n N)",
        [](CommandContext &ctx) { return headOrTail(ctx, true); });
    add(registry, "tail", "print the last lines (-n N)",
        [](CommandContext &ctx) { return headOrTail(ctx, false); });
    add(registry, "wc", "count lines, words and bytes (-l -w -c)", wc);
    add(registry, "mkdir", "make a folder (-p with its parents)", mkdir);
    add(registry, "rm", "remove files (-r folders, -f no complaints)", rm);
    add(registry, "touch", "create an empty file", touch);
    add(registry, "cp", "copy a file", [](CommandContext &ctx) { return copyOrMove(ctx, false); });
    add(registry, "mv", "move or rename a file",
        [](CommandContext &ctx) { return copyOrMove(ctx, true); });
}

} // namespace meshcraft::core::shell::detail
