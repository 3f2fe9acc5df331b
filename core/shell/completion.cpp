// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/completion.h"

#include "core/common/text.h"

#include <algorithm>
#include <cctype>

namespace meshcraft::core::shell {

namespace {

struct LexedWord
{
    std::size_t start = 0;
    std::string value; ///< Quotes and backslashes removed
    bool commandPosition = false;
    bool afterRedirection = false;
};

/// A forgiving lexer for a half-typed line: words of the last simple command only.
std::vector<LexedWord> lexForCompletion(std::string_view text)
{
    std::vector<LexedWord> words;
    bool inWord = false;
    bool nextIsCommand = true;
    bool nextAfterRedirection = false;
    char quote = 0;
    const auto startWord = [&](std::size_t at) {
        if (!inWord) {
            words.push_back(LexedWord{at, {}, nextIsCommand, nextAfterRedirection});
            inWord = true;
            nextAfterRedirection = false;
        }
    };
    const auto endWord = [&] {
        if (inWord) {
            inWord = false;
            const LexedWord &last = words.back();
            // NAME=value before the command keeps the command position open.
            const std::size_t eq = last.value.find('=');
            const bool assignment = last.commandPosition && eq != std::string::npos && eq > 0 &&
                                    Environment::isValidName(last.value.substr(0, eq));
            nextIsCommand = assignment;
        }
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quote != 0) {
            if (c == quote) {
                quote = 0;
            } else if (quote == '"' && c == '\\' && i + 1 < text.size()) {
                words.back().value += text[++i];
            } else {
                words.back().value += c;
            }
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n') {
            endWord();
        } else if (c == '|' || c == ';' || c == '&' || c == '(' || c == ')') {
            endWord();
            words.clear(); // a new command starts
            nextIsCommand = true;
        } else if ((c == '<' || c == '>') &&
                   !(c == '<' && i + 1 < text.size() && text[i + 1] == '(')) {
            endWord();
            nextAfterRedirection = true;
        } else if (c == '$' && i + 1 < text.size() && text[i + 1] == '(') {
            endWord();
            words.clear();
            nextIsCommand = true;
            ++i;
        } else if (c == '<' || c == '>') {
            endWord(); // "<(": the '(' comes next and starts a command
        } else if (c == '\'' || c == '"') {
            startWord(i);
            quote = c;
        } else if (c == '\\' && i + 1 < text.size()) {
            startWord(i);
            words.back().value += text[++i];
        } else {
            startWord(i);
            words.back().value += c;
        }
    }
    if (!inWord) {
        words.push_back(LexedWord{text.size(), {}, nextIsCommand, nextAfterRedirection});
    }
    return words;
}

std::string expandForLookup(std::string_view text, const CompletionInput &input)
{
    std::string out;
    std::size_t i = 0;
    if (!text.empty() && text[0] == '~' && (text.size() == 1 || text[1] == '/')) {
        out = input.home;
        i = 1;
    }
    while (i < text.size()) {
        if (text[i] == '$') {
            std::size_t end = i + 1;
            const bool braced = end < text.size() && text[end] == '{';
            if (braced) {
                ++end;
            }
            const std::size_t nameStart = end;
            while (end < text.size() &&
                   (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_')) {
                ++end;
            }
            out += input.variables.value(text.substr(nameStart, end - nameStart));
            if (braced && end < text.size() && text[end] == '}') {
                ++end;
            }
            i = end;
        } else {
            out += text[i++];
        }
    }
    return out;
}

std::vector<std::string> fileCandidates(std::string_view word, const CompletionInput &input)
{
    const std::size_t slash = word.rfind('/');
    const std::string dirText(slash == std::string_view::npos ? std::string_view()
                                                              : word.substr(0, slash + 1));
    const std::string_view base = slash == std::string_view::npos ? word : word.substr(slash + 1);
    const std::string dir = VirtualFs::resolve(
        input.cwd, dirText.empty() ? std::string(".") : expandForLookup(dirText, input));
    std::vector<std::string> result;
    const auto entries = input.fs.list(dir);
    if (!entries || !input.fs.isDirectory(dir)) {
        return result;
    }
    for (const DirEntry &entry : *entries) {
        if (!common::startsWith(entry.name, base)) {
            continue;
        }
        if (entry.name.front() == '.' && (base.empty() || base.front() != '.')) {
            continue;
        }
        result.push_back(dirText + entry.name + (entry.isDirectory ? "/" : ""));
    }
    return result;
}

void collectFlags(const CompletionSpec &spec, std::vector<FlagSpec> &flags)
{
    flags.insert(flags.end(), spec.flags.begin(), spec.flags.end());
}

const FlagSpec *findFlag(const std::vector<FlagSpec> &flags, std::string_view word)
{
    const std::string_view name = word.substr(0, word.find('='));
    for (const FlagSpec &flag : flags) {
        if (std::find(flag.names.begin(), flag.names.end(), name) != flag.names.end()) {
            return &flag;
        }
    }
    return nullptr;
}

void append(std::vector<std::string> &to, const std::vector<std::string> &from)
{
    to.insert(to.end(), from.begin(), from.end());
}

} // namespace

std::optional<std::string>
CompletionRequest::flagValue(std::initializer_list<std::string_view> names) const
{
    for (std::size_t i = 0; i < words.size(); ++i) {
        for (const std::string_view name : names) {
            if (words[i] == name && i + 1 < words.size()) {
                return words[i + 1];
            }
            if (common::startsWith(words[i], std::string(name) + "=")) {
                return words[i].substr(name.size() + 1);
            }
        }
    }
    return std::nullopt;
}

std::vector<std::string> CompletionRequest::positionals(std::size_t skip) const
{
    std::vector<std::string> result;
    for (std::size_t i = skip; i < words.size(); ++i) {
        if (!words[i].empty() && words[i][0] == '-') {
            continue;
        }
        result.push_back(words[i]);
    }
    return result;
}

std::string commonPrefix(const std::vector<std::string> &words)
{
    if (words.empty()) {
        return {};
    }
    std::string prefix = words.front();
    for (const std::string &word : words) {
        std::size_t n = 0;
        while (n < prefix.size() && n < word.size() && prefix[n] == word[n]) {
            ++n;
        }
        prefix.resize(n);
    }
    return prefix;
}

CompletionResult completeLine(std::string_view line, std::size_t cursor,
                              const CompletionInput &input)
{
    const std::vector<LexedWord> words =
        lexForCompletion(line.substr(0, std::min(cursor, line.size())));
    const LexedWord &current = words.back();
    CompletionResult result;
    result.replaceFrom = current.start;
    result.word = current.value;
    const std::string &prefix = current.value;

    std::vector<std::string> candidates;
    bool filesToo = false;
    // The command is the first word in command position that is not a NAME=value.
    std::optional<std::size_t> commandIndex;
    for (std::size_t i = 0; i + 1 < words.size(); ++i) {
        const std::size_t eq = words[i].value.find('=');
        const bool assignment = eq != std::string::npos && eq > 0 &&
                                Environment::isValidName(words[i].value.substr(0, eq));
        if (words[i].commandPosition && !words[i].afterRedirection && !assignment) {
            commandIndex = i;
            break;
        }
    }

    if (!prefix.empty() && prefix[0] == '$' && prefix.find('/') == std::string::npos) {
        const bool braced = prefix.size() > 1 && prefix[1] == '{';
        const std::string namePrefix = prefix.substr(braced ? 2 : 1);
        for (const auto &[name, variable] : input.variables.all()) {
            if (common::startsWith(name, namePrefix)) {
                candidates.push_back((braced ? "${" : "$") + name + (braced ? "}" : ""));
            }
        }
    } else if (current.afterRedirection) {
        filesToo = true;
    } else if (current.commandPosition) {
        if (prefix.find('/') != std::string::npos) {
            filesToo = true;
        } else {
            append(candidates, input.commands.names());
        }
    } else if (commandIndex) {
        const ShellCommand *command = input.commands.find(words[*commandIndex].value);
        const CompletionSpec rootSpec = command ? command->completion() : CompletionSpec{};
        CompletionRequest request;
        request.prefix = prefix;
        request.resourceNames = input.resourceNames
                                    ? input.resourceNames
                                    : ResourceNameProvider([](std::string_view, std::string_view) {
                                          return std::vector<std::string>();
                                      });
        for (std::size_t i = *commandIndex; i + 1 < words.size(); ++i) {
            if (!words[i].afterRedirection) {
                request.words.push_back(words[i].value);
            }
        }
        // Walk subcommands; flags of every level stay valid below it.
        const CompletionSpec *spec = &rootSpec;
        std::vector<FlagSpec> flags;
        collectFlags(*spec, flags);
        const FlagSpec *pendingFlag = nullptr;
        for (std::size_t i = 1; i < request.words.size(); ++i) {
            const std::string &word = request.words[i];
            if (pendingFlag) {
                pendingFlag = nullptr;
                continue;
            }
            if (common::startsWith(word, "-")) {
                const FlagSpec *flag = findFlag(flags, word);
                if (flag && flag->takesValue && word.find('=') == std::string::npos) {
                    pendingFlag = flag;
                }
                continue;
            }
            const auto sub = std::find_if(spec->subcommands.begin(), spec->subcommands.end(),
                                          [&](const SubcommandSpec &s) { return s.name == word; });
            if (sub != spec->subcommands.end()) {
                spec = &sub->spec;
                collectFlags(*spec, flags);
            }
        }
        if (pendingFlag) {
            append(candidates, pendingFlag->values);
            if (pendingFlag->valueProvider) {
                append(candidates, pendingFlag->valueProvider(request));
            }
            filesToo = pendingFlag->valueIsFile;
        } else if (common::startsWith(prefix, "-")) {
            for (const FlagSpec &flag : flags) {
                append(candidates, flag.names);
            }
        } else {
            for (const SubcommandSpec &sub : spec->subcommands) {
                candidates.push_back(sub.name);
            }
            if (spec->arguments) {
                append(candidates, spec->arguments(request));
            }
            filesToo = spec->files;
        }
    }

    std::erase_if(candidates, [&](const std::string &candidate) {
        return !common::startsWith(candidate, prefix);
    });
    if (filesToo) {
        append(candidates, fileCandidates(prefix, input));
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    result.candidates = std::move(candidates);
    result.commonPrefix = commonPrefix(result.candidates);
    result.appendSpace = result.candidates.size() == 1 && !result.candidates[0].ends_with('/');
    return result;
}

} // namespace meshcraft::core::shell
