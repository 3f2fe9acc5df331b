// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::shell {

struct CommandList;

/// One piece of a word, kept apart so expansion can happen when the command runs (after the
/// commands before it on the line have changed the variables or `$?`).
struct WordPart
{
    enum class Kind {
        Literal,             ///< text
        Parameter,           ///< $NAME, ${NAME}, ${NAME:-word}, $?, $1 ...
        Tilde,               ///< ~ or ~user at the start of a word; text is the user
        CommandSubstitution, ///< $(…) or `…`
        ProcessSubstitution, ///< <(…): becomes /dev/fd/63, 62, …
        BadSubstitution,     ///< ${…} that is not a parameter; an error when expanded
    };
    enum class Operator {
        None,
        UseDefault,        ///< ${NAME:-word}
        UseDefaultIfUnset, ///< ${NAME-word}
        UseAlternative,    ///< ${NAME:+word}
        Length,            ///< ${#NAME}
    };

    Kind kind = Kind::Literal;
    std::string text;    ///< Literal text, parameter name, tilde user, or the raw source
    bool quoted = false; ///< Inside quotes: no field splitting, no globbing
    Operator op = Operator::None;
    std::string operand;                         ///< The word of ${NAME:-word}, taken literally
    std::shared_ptr<const CommandList> commands; ///< For the two substitutions
};

struct Word
{
    std::vector<WordPart> parts;
    std::string source; ///< The word as typed, for messages and completion
};

struct Redirection
{
    enum class Op {
        Input,           ///< < file
        Output,          ///< > file
        Append,          ///< >> file
        DuplicateOutput, ///< 2>&1, >&2
        HereDocument,    ///< << EOF: target holds the body
    };
    int fd = 1;
    Op op = Op::Output;
    Word target;
    int duplicateOf = -1;
};

struct Assignment
{
    std::string name;
    Word value;
};

struct SimpleCommand
{
    std::vector<Assignment> assignments;
    std::vector<Word> words;
    std::vector<Redirection> redirections;
};

struct Pipeline
{
    std::vector<SimpleCommand> commands;
    bool negated = false; ///< `! cmd`
};

/// How a pipeline joins the one after it.
enum class Connector { End, Sequence, And, Or };

struct ListItem
{
    Pipeline pipeline;
    Connector connector = Connector::End;
};

struct CommandList
{
    std::vector<ListItem> items;
};

struct SyntaxError
{
    enum class Kind {
        UnexpectedToken,   ///< bash: syntax error near unexpected token `|'
        UnterminatedQuote, ///< bash: unexpected EOF while looking for matching `"'
        UnexpectedEnd,     ///< bash: syntax error: unexpected end of file
        Unsupported,       ///< a shell feature this terminal does not have (token names it)
    };
    Kind kind;
    std::string token; ///< The token, the quote or bracket being matched, or the feature
};

struct ParseResult
{
    CommandList list;
    std::optional<SyntaxError> error;
    /// More input could complete the line: an open quote or bracket, a trailing `|`, `&&`,
    /// `||` or `\`, or a here-document without its end. Interactive shells then show PS2.
    bool incomplete = false;
};

/// Parses one input line (or several joined with '\n' after continuation prompts).
ParseResult parseCommandLine(std::string_view text);

/// The message a shell prints for a syntax error, e.g. "bash: syntax error near unexpected
/// token `|'". `shellName` is $0 ("bash", "/bin/sh"); `ashStyle` picks busybox's wording.
std::string syntaxErrorMessage(const SyntaxError &error, std::string_view shellName,
                               bool ashStyle = false);

/// Quotes a string so the parser reads it back as one literal word (for history and tests).
std::string quoteWord(std::string_view text);

} // namespace meshcraft::core::shell
