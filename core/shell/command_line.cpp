// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/command_line.h"

#include <array>

namespace meshcraft::core::shell {

namespace {

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

bool isMeta(char c)
{
    return isBlank(c) || c == '|' || c == '&' || c == ';' || c == '<' || c == '>' || c == '(' ||
           c == ')' || c == '\n';
}

bool isNameStart(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isNameChar(char c)
{
    return isNameStart(c) || isDigit(c);
}

bool isSpecialParameter(char c)
{
    return c == '?' || c == '$' || c == '#' || c == '!' || c == '@' || c == '*' || c == '-';
}

// Words that start compound commands; the terminal runs simple commands only.
constexpr std::array<std::string_view, 17> ReservedWords = {
    "if",   "then", "else", "elif",     "fi",     "for", "while", "until", "do",
    "done", "case", "esac", "function", "select", "{",   "}",     "[["};

// Longest first, so "&&" wins over "&".
constexpr std::array<std::string_view, 16> Operators = {
    "<<-", "&&", "||", ";;", "<<", ">>", ">&", "<(", ">(", "|", "&", ";", "<", ">", "(", ")"};

class Parser
{
public:
    explicit Parser(std::string_view text, int depth = 0) : m_text(text), m_depth(depth) {}

    ParseResult run()
    {
        ParseResult result;
        result.list = parseList(0);
        result.error = m_error;
        result.incomplete = m_incomplete;
        return result;
    }

private:
    bool atEnd() const { return m_pos >= m_text.size(); }
    char peek(std::size_t offset = 0) const
    {
        return m_pos + offset < m_text.size() ? m_text[m_pos + offset] : '\0';
    }
    bool failed() const { return m_error.has_value(); }

    void fail(SyntaxError::Kind kind, std::string token)
    {
        if (!m_error) {
            m_error = SyntaxError{kind, std::move(token)};
        }
    }
    void failIncomplete(SyntaxError::Kind kind, std::string token)
    {
        m_incomplete = true;
        fail(kind, std::move(token));
    }
    void failUnsupported(std::string token)
    {
        fail(SyntaxError::Kind::Unsupported, std::move(token));
    }

    /// The operator at the cursor, or "newline", or "" for a word or the end.
    std::string_view operatorHere() const
    {
        if (atEnd()) {
            return {};
        }
        if (peek() == '\n') {
            return "newline";
        }
        const std::string_view rest = m_text.substr(m_pos);
        for (const std::string_view op : Operators) {
            if (rest.substr(0, op.size()) == op) {
                return op;
            }
        }
        return {};
    }

    /// Blanks and backslash-newline continuations; a '#' at a word start runs to the newline.
    void skipBlanks()
    {
        while (!atEnd()) {
            if (isBlank(peek())) {
                ++m_pos;
            } else if (peek() == '\\' && peek(1) == '\n') {
                m_pos += 2;
            } else if (peek() == '#') {
                while (!atEnd() && peek() != '\n') {
                    ++m_pos;
                }
            } else {
                break;
            }
        }
    }

    void consumeNewline()
    {
        // A here-document's body follows the line that asked for it.
        if (m_hereDocLineEnd && *m_hereDocLineEnd == m_pos) {
            m_pos = m_hereDocNext;
            m_hereDocLineEnd.reset();
        } else {
            ++m_pos;
        }
    }

    CommandList parseList(char stop)
    {
        CommandList list;
        // Substitutions nest by recursion; a hostile paste must not exhaust the stack.
        if (++m_depth > MaxNesting) {
            failUnsupported("nesting");
            return list;
        }
        struct Leave
        {
            int &depth;
            ~Leave() { --depth; }
        } leave{m_depth};
        bool expectMore = false; // after && or ||
        while (!failed()) {
            skipBlanks();
            if (atEnd()) {
                if (expectMore) {
                    failIncomplete(SyntaxError::Kind::UnexpectedEnd, {});
                }
                break;
            }
            if (stop != 0 && peek() == stop) {
                if (expectMore) {
                    fail(SyntaxError::Kind::UnexpectedToken, std::string(1, stop));
                }
                break;
            }
            if (peek() == '\n') {
                consumeNewline();
                continue;
            }
            if (const std::string_view op = operatorHere();
                !op.empty() && op != "<" && op != ">" && op != ">>" && op != "<<" && op != "<<-" &&
                op != "<(" && op != ">&" && op != "(") {
                fail(SyntaxError::Kind::UnexpectedToken, std::string(op));
                break;
            }
            ListItem item;
            if (!parsePipeline(item.pipeline)) {
                break;
            }
            expectMore = false;
            skipBlanks();
            const std::string_view op = operatorHere();
            if (op == "&&" || op == "||") {
                item.connector = op == "&&" ? Connector::And : Connector::Or;
                expectMore = true;
                m_pos += 2;
            } else if (op == ";") {
                item.connector = Connector::Sequence;
                ++m_pos;
            } else if (op == "newline") {
                item.connector = Connector::Sequence;
                consumeNewline();
            } else if (op == "&") {
                failUnsupported("&");
            } else if (atEnd() || (stop != 0 && peek() == stop)) {
                item.connector = Connector::End;
            } else {
                fail(SyntaxError::Kind::UnexpectedToken, std::string(op));
            }
            list.items.push_back(std::move(item));
        }
        if (!list.items.empty() && !expectMore) {
            list.items.back().connector = Connector::End;
        }
        return list;
    }

    bool parsePipeline(Pipeline &pipeline)
    {
        skipBlanks();
        if (peek() == '!' && (isBlank(peek(1)) || peek(1) == '\0')) {
            pipeline.negated = true;
            ++m_pos;
        }
        bool afterPipe = false;
        while (true) {
            SimpleCommand command;
            if (!parseSimple(command)) {
                return false;
            }
            if (command.words.empty() && command.assignments.empty() &&
                command.redirections.empty()) {
                if (atEnd() && afterPipe) {
                    failIncomplete(SyntaxError::Kind::UnexpectedEnd, {});
                } else {
                    const std::string_view op = operatorHere();
                    fail(SyntaxError::Kind::UnexpectedToken,
                         std::string(op.empty() ? std::string_view("newline") : op));
                }
                return false;
            }
            pipeline.commands.push_back(std::move(command));
            skipBlanks();
            if (operatorHere() != "|") {
                return true;
            }
            ++m_pos;
            afterPipe = true;
            // A newline may follow a pipe, as in bash.
            while (true) {
                skipBlanks();
                if (peek() != '\n') {
                    break;
                }
                consumeNewline();
            }
        }
    }

    bool parseSimple(SimpleCommand &command)
    {
        bool commandWordSeen = false;
        while (!failed()) {
            skipBlanks();
            if (atEnd()) {
                break;
            }
            const char c = peek();
            if (c == '\n' || c == ';' || c == '&' || c == '|' || c == ')') {
                break;
            }
            if (c == '(') {
                if (command.words.empty() && command.assignments.empty()) {
                    failUnsupported("(");
                } else {
                    fail(SyntaxError::Kind::UnexpectedToken, "(");
                }
                return false;
            }
            if (c == '>' && peek(1) == '(') {
                failUnsupported(">(");
                return false;
            }
            if ((c == '<' && peek(1) != '(') || c == '>') {
                if (!parseRedirection(command, c == '<' ? 0 : 1)) {
                    return false;
                }
                continue;
            }
            if (isDigit(c)) {
                std::size_t end = m_pos;
                while (end < m_text.size() && isDigit(m_text[end])) {
                    ++end;
                }
                if (end < m_text.size() && (m_text[end] == '>' || m_text[end] == '<') &&
                    !(m_text[end] == '<' && end + 1 < m_text.size() && m_text[end + 1] == '(') &&
                    end - m_pos < 4) {
                    const int fd = std::stoi(std::string(m_text.substr(m_pos, end - m_pos)));
                    m_pos = end;
                    if (!parseRedirection(command, fd)) {
                        return false;
                    }
                    continue;
                }
            }
            Word word;
            if (!parseWord(word, !commandWordSeen)) {
                return false;
            }
            if (!commandWordSeen && takeAssignment(word, command)) {
                continue;
            }
            if (!commandWordSeen && word.parts.size() == 1 &&
                word.parts[0].kind == WordPart::Kind::Literal && !word.parts[0].quoted) {
                for (const std::string_view reserved : ReservedWords) {
                    if (word.parts[0].text == reserved) {
                        failUnsupported(word.parts[0].text);
                        return false;
                    }
                }
            }
            commandWordSeen = true;
            command.words.push_back(std::move(word));
        }
        return !failed();
    }

    static bool takeAssignment(Word &word, SimpleCommand &command)
    {
        if (word.parts.empty() || word.parts[0].kind != WordPart::Kind::Literal ||
            word.parts[0].quoted) {
            return false;
        }
        const std::string &first = word.parts[0].text;
        const std::size_t eq = first.find('=');
        if (eq == std::string::npos || eq == 0) {
            return false;
        }
        const std::string name = first.substr(0, eq);
        if (!isNameStart(name[0])) {
            return false;
        }
        for (const char c : name) {
            if (!isNameChar(c)) {
                return false;
            }
        }
        Assignment assignment;
        assignment.name = name;
        std::string rest = first.substr(eq + 1);
        if (!rest.empty()) {
            WordPart part;
            part.text = std::move(rest);
            assignment.value.parts.push_back(std::move(part));
        }
        for (std::size_t i = 1; i < word.parts.size(); ++i) {
            assignment.value.parts.push_back(std::move(word.parts[i]));
        }
        assignment.value.source = word.source.substr(std::min(word.source.size(), eq + 1));
        command.assignments.push_back(std::move(assignment));
        return true;
    }

    bool parseRedirection(SimpleCommand &command, int fd)
    {
        const std::string_view op = operatorHere();
        Redirection redirection;
        redirection.fd = fd;
        if (op == "<<" || op == "<<-") {
            m_pos += op.size();
            redirection.op = Redirection::Op::HereDocument;
            redirection.fd = 0;
            if (!parseHereDocument(redirection, op == "<<-")) {
                return false;
            }
            command.redirections.push_back(std::move(redirection));
            return true;
        }
        if (op == ">>") {
            redirection.op = Redirection::Op::Append;
        } else if (op == ">&") {
            redirection.op = Redirection::Op::DuplicateOutput;
        } else if (op == "<") {
            redirection.op = Redirection::Op::Input;
        } else {
            redirection.op = Redirection::Op::Output;
        }
        m_pos += op.size();
        if (op == ">" && peek() == '|') {
            ++m_pos; // >| ignores noclobber, which this shell never sets
        }
        skipBlanks();
        const std::string_view next = operatorHere();
        if (atEnd() || (!next.empty() && next != "<(")) {
            fail(SyntaxError::Kind::UnexpectedToken,
                 std::string(next.empty() ? std::string_view("newline") : next));
            return false;
        }
        if (redirection.op == Redirection::Op::DuplicateOutput) {
            std::size_t end = m_pos;
            while (end < m_text.size() && isDigit(m_text[end])) {
                ++end;
            }
            if (end == m_pos || end - m_pos > 3 || (end < m_text.size() && !isMeta(m_text[end]))) {
                failUnsupported(">&");
                return false;
            }
            redirection.duplicateOf = std::stoi(std::string(m_text.substr(m_pos, end - m_pos)));
            m_pos = end;
        } else if (!parseWord(redirection.target, false)) {
            return false;
        }
        command.redirections.push_back(std::move(redirection));
        return true;
    }

    bool parseHereDocument(Redirection &redirection, bool stripTabs)
    {
        skipBlanks();
        Word delimiterWord;
        if (atEnd() || !operatorHere().empty()) {
            const std::string_view next = operatorHere();
            fail(SyntaxError::Kind::UnexpectedToken,
                 std::string(next.empty() ? std::string_view("newline") : next));
            return false;
        }
        if (!parseWord(delimiterWord, false)) {
            return false;
        }
        std::string delimiter;
        bool quoted = false;
        for (const WordPart &part : delimiterWord.parts) {
            quoted = quoted || part.quoted;
            delimiter += part.text;
        }
        if (!m_hereDocLineEnd) {
            const std::size_t newline = m_text.find('\n', m_pos);
            if (newline == std::string_view::npos) {
                m_incomplete = true;
                return true;
            }
            m_hereDocLineEnd = newline;
            m_hereDocNext = newline + 1;
        }
        std::string body;
        bool found = false;
        std::size_t pos = m_hereDocNext;
        while (pos < m_text.size()) {
            std::size_t end = m_text.find('\n', pos);
            const bool lastLine = end == std::string_view::npos;
            if (lastLine) {
                end = m_text.size();
            }
            std::string_view line = m_text.substr(pos, end - pos);
            while (stripTabs && !line.empty() && line.front() == '\t') {
                line.remove_prefix(1);
            }
            pos = lastLine ? end : end + 1;
            if (line == delimiter) {
                found = true;
                break;
            }
            body += line;
            body += '\n';
        }
        m_hereDocNext = pos;
        if (!found) {
            m_incomplete = true;
        }
        if (quoted) {
            WordPart part;
            part.text = std::move(body);
            part.quoted = true;
            redirection.target.parts.push_back(std::move(part));
        } else {
            Parser inner(body, m_depth + 1);
            inner.m_hereDocMode = true;
            Word expanded;
            inner.parseHereBody(expanded);
            if (inner.m_error) {
                m_error = inner.m_error;
                return false;
            }
            redirection.target = std::move(expanded);
        }
        redirection.target.source = delimiter;
        return true;
    }

    /// A here-document body: only $, ` and \ are special, as inside double quotes.
    void parseHereBody(Word &word)
    {
        while (!atEnd() && !failed()) {
            const char c = peek();
            if (c == '\\' && (peek(1) == '$' || peek(1) == '`' || peek(1) == '\\')) {
                appendLiteral(word, std::string(1, peek(1)), true);
                m_pos += 2;
            } else if (c == '\\' && peek(1) == '\n') {
                m_pos += 2;
            } else if (c == '$') {
                parseDollar(word, true);
            } else if (c == '`') {
                parseBacktick(word, true);
            } else {
                appendLiteral(word, std::string(1, c), true);
                ++m_pos;
            }
        }
    }

    static void appendLiteral(Word &word, std::string_view text, bool quoted)
    {
        if (!word.parts.empty() && word.parts.back().kind == WordPart::Kind::Literal &&
            word.parts.back().quoted == quoted) {
            word.parts.back().text += text;
            return;
        }
        WordPart part;
        part.text = std::string(text);
        part.quoted = quoted;
        word.parts.push_back(std::move(part));
    }

    bool parseWord(Word &word, bool assignmentPosition)
    {
        const std::size_t start = m_pos;
        while (!atEnd() && !failed()) {
            const char c = peek();
            if (c == '<' && peek(1) == '(') {
                parseSubstitution(word, WordPart::Kind::ProcessSubstitution, 2, false);
                continue;
            }
            if (isMeta(c)) {
                break;
            }
            switch (c) {
            case '\\':
                if (peek(1) == '\n') {
                    m_pos += 2;
                } else if (m_pos + 1 >= m_text.size()) {
                    // A trailing backslash asks for a continuation line.
                    m_incomplete = true;
                    ++m_pos;
                } else {
                    appendLiteral(word, std::string(1, peek(1)), true);
                    m_pos += 2;
                }
                break;
            case '\'': {
                const std::size_t close = m_text.find('\'', m_pos + 1);
                if (close == std::string_view::npos) {
                    failIncomplete(SyntaxError::Kind::UnterminatedQuote, "'");
                    break;
                }
                appendLiteral(word, m_text.substr(m_pos + 1, close - m_pos - 1), true);
                m_pos = close + 1;
                break;
            }
            case '"':
                parseDoubleQuoted(word);
                break;
            case '$':
                parseDollar(word, false);
                break;
            case '`':
                parseBacktick(word, false);
                break;
            case '~':
                if (word.parts.empty() || (assignmentPosition && isAssignmentPrefix(word))) {
                    parseTilde(word);
                } else {
                    appendLiteral(word, "~", false);
                    ++m_pos;
                }
                break;
            default:
                appendLiteral(word, std::string(1, c), false);
                ++m_pos;
                break;
            }
        }
        word.source = std::string(m_text.substr(start, m_pos - start));
        return !failed();
    }

    static bool isAssignmentPrefix(const Word &word)
    {
        if (word.parts.size() != 1 || word.parts[0].kind != WordPart::Kind::Literal ||
            word.parts[0].quoted) {
            return false;
        }
        const std::string &text = word.parts[0].text;
        if (text.size() < 2 || text.back() != '=' || !isNameStart(text[0])) {
            return false;
        }
        for (std::size_t i = 0; i + 1 < text.size(); ++i) {
            if (!isNameChar(text[i])) {
                return false;
            }
        }
        return true;
    }

    void parseTilde(Word &word)
    {
        std::size_t end = m_pos + 1;
        while (end < m_text.size() &&
               (isNameChar(m_text[end]) || m_text[end] == '-' || m_text[end] == '.')) {
            ++end;
        }
        if (end < m_text.size() && !isMeta(m_text[end]) && m_text[end] != '/') {
            // "~foo$x" or "~'x'": not a tilde prefix, bash leaves it alone.
            appendLiteral(word, "~", false);
            ++m_pos;
            return;
        }
        WordPart part;
        part.kind = WordPart::Kind::Tilde;
        part.text = std::string(m_text.substr(m_pos + 1, end - m_pos - 1));
        word.parts.push_back(std::move(part));
        m_pos = end;
    }

    void parseDoubleQuoted(Word &word)
    {
        ++m_pos;
        appendLiteral(word, "", true); // "" is still a word
        while (!failed()) {
            if (atEnd()) {
                failIncomplete(SyntaxError::Kind::UnterminatedQuote, "\"");
                return;
            }
            const char c = peek();
            if (c == '"') {
                ++m_pos;
                return;
            }
            if (c == '\\') {
                const char next = peek(1);
                if (next == '$' || next == '"' || next == '\\' || next == '`') {
                    appendLiteral(word, std::string(1, next), true);
                    m_pos += 2;
                } else if (next == '\n') {
                    m_pos += 2;
                } else {
                    appendLiteral(word, "\\", true);
                    ++m_pos;
                }
            } else if (c == '$') {
                parseDollar(word, true);
            } else if (c == '`') {
                parseBacktick(word, true);
            } else {
                appendLiteral(word, std::string(1, c), true);
                ++m_pos;
            }
        }
    }

    void parseDollar(Word &word, bool quoted)
    {
        const char next = peek(1);
        if (next == '{') {
            const std::size_t close = m_text.find('}', m_pos + 2);
            if (close == std::string_view::npos) {
                failIncomplete(SyntaxError::Kind::UnterminatedQuote, "}");
                return;
            }
            word.parts.push_back(
                braceParameter(m_text.substr(m_pos + 2, close - m_pos - 2), quoted));
            m_pos = close + 1;
            return;
        }
        if (next == '(') {
            if (peek(2) == '(') {
                failUnsupported("$((");
                return;
            }
            parseSubstitution(word, WordPart::Kind::CommandSubstitution, 2, quoted);
            return;
        }
        if (next == '\'' && !quoted && !m_hereDocMode) {
            parseAnsiC(word);
            return;
        }
        WordPart part;
        part.kind = WordPart::Kind::Parameter;
        part.quoted = quoted;
        if (isNameStart(next)) {
            std::size_t end = m_pos + 1;
            while (end < m_text.size() && isNameChar(m_text[end])) {
                ++end;
            }
            part.text = std::string(m_text.substr(m_pos + 1, end - m_pos - 1));
            m_pos = end;
        } else if (isDigit(next) || isSpecialParameter(next)) {
            part.text = std::string(1, next);
            m_pos += 2;
        } else {
            appendLiteral(word, "$", quoted);
            ++m_pos;
            return;
        }
        word.parts.push_back(std::move(part));
    }

    static WordPart braceParameter(std::string_view inside, bool quoted)
    {
        WordPart part;
        part.kind = WordPart::Kind::Parameter;
        part.quoted = quoted;
        std::string_view rest = inside;
        if (rest.size() > 1 && rest.front() == '#') {
            part.op = WordPart::Operator::Length;
            rest.remove_prefix(1);
        }
        std::size_t nameEnd = 0;
        if (!rest.empty() && isNameStart(rest[0])) {
            while (nameEnd < rest.size() && isNameChar(rest[nameEnd])) {
                ++nameEnd;
            }
        } else if (!rest.empty() && isDigit(rest[0])) {
            while (nameEnd < rest.size() && isDigit(rest[nameEnd])) {
                ++nameEnd;
            }
        } else if (!rest.empty() && isSpecialParameter(rest[0])) {
            nameEnd = 1;
        }
        part.text = std::string(rest.substr(0, nameEnd));
        rest.remove_prefix(nameEnd);
        bool valid = nameEnd > 0;
        if (valid && !rest.empty()) {
            if (part.op == WordPart::Operator::Length) {
                valid = false;
            } else if (rest.substr(0, 2) == ":-" || rest.substr(0, 2) == ":=") {
                part.op = WordPart::Operator::UseDefault;
                part.operand = std::string(rest.substr(2));
            } else if (rest.substr(0, 2) == ":+") {
                part.op = WordPart::Operator::UseAlternative;
                part.operand = std::string(rest.substr(2));
            } else if (rest[0] == '-' || rest[0] == '=') {
                part.op = WordPart::Operator::UseDefaultIfUnset;
                part.operand = std::string(rest.substr(1));
            } else {
                valid = false;
            }
        }
        if (!valid) {
            part = WordPart{};
            part.kind = WordPart::Kind::BadSubstitution;
            part.text = "${" + std::string(inside) + "}";
        }
        return part;
    }

    void parseAnsiC(Word &word)
    {
        std::size_t pos = m_pos + 2;
        std::string text;
        while (pos < m_text.size() && m_text[pos] != '\'') {
            if (m_text[pos] == '\\' && pos + 1 < m_text.size()) {
                const char e = m_text[pos + 1];
                switch (e) {
                case 'n':
                    text += '\n';
                    break;
                case 't':
                    text += '\t';
                    break;
                case 'r':
                    text += '\r';
                    break;
                case 'a':
                    text += '\a';
                    break;
                case 'e':
                    text += '\x1b';
                    break;
                case '0':
                    text += '\0';
                    break;
                default:
                    text += e;
                    break;
                }
                pos += 2;
            } else {
                text += m_text[pos++];
            }
        }
        if (pos >= m_text.size()) {
            failIncomplete(SyntaxError::Kind::UnterminatedQuote, "'");
            return;
        }
        appendLiteral(word, text, true);
        m_pos = pos + 1;
    }

    void parseSubstitution(Word &word, WordPart::Kind kind, std::size_t openerLength, bool quoted)
    {
        const std::size_t start = m_pos;
        m_pos += openerLength;
        CommandList inner = parseList(')');
        if (failed()) {
            return;
        }
        if (atEnd()) {
            failIncomplete(SyntaxError::Kind::UnterminatedQuote, ")");
            return;
        }
        ++m_pos; // ')'
        WordPart part;
        part.kind = kind;
        part.quoted = quoted;
        part.text = std::string(m_text.substr(start, m_pos - start));
        part.commands = std::make_shared<const CommandList>(std::move(inner));
        word.parts.push_back(std::move(part));
    }

    void parseBacktick(Word &word, bool quoted)
    {
        std::string inner;
        std::size_t pos = m_pos + 1;
        while (pos < m_text.size() && m_text[pos] != '`') {
            if (m_text[pos] == '\\' && pos + 1 < m_text.size() &&
                (m_text[pos + 1] == '`' || m_text[pos + 1] == '$' || m_text[pos + 1] == '\\')) {
                inner += m_text[pos + 1];
                pos += 2;
            } else {
                inner += m_text[pos++];
            }
        }
        if (pos >= m_text.size()) {
            failIncomplete(SyntaxError::Kind::UnterminatedQuote, "`");
            return;
        }
        ParseResult parsed = Parser(inner, m_depth + 1).run();
        if (parsed.error) {
            m_error = parsed.error;
            m_incomplete = m_incomplete || parsed.incomplete;
            return;
        }
        WordPart part;
        part.kind = WordPart::Kind::CommandSubstitution;
        part.quoted = quoted;
        part.text = std::string(m_text.substr(m_pos, pos + 1 - m_pos));
        part.commands = std::make_shared<const CommandList>(std::move(parsed.list));
        word.parts.push_back(std::move(part));
        m_pos = pos + 1;
    }

    static constexpr int MaxNesting = 32;

    std::string_view m_text;
    int m_depth = 0;
    std::size_t m_pos = 0;
    std::optional<SyntaxError> m_error;
    bool m_incomplete = false;
    bool m_hereDocMode = false;
    std::optional<std::size_t> m_hereDocLineEnd;
    std::size_t m_hereDocNext = 0;
};

} // namespace

ParseResult parseCommandLine(std::string_view text)
{
    return Parser(text).run();
}

std::string syntaxErrorMessage(const SyntaxError &error, std::string_view shellName, bool ashStyle)
{
    const std::string prefix = std::string(shellName) + ": ";
    switch (error.kind) {
    case SyntaxError::Kind::UnexpectedToken:
        if (ashStyle) {
            return prefix + "syntax error: unexpected " +
                   (error.token == "newline" ? error.token : "\"" + error.token + "\"");
        }
        return prefix + "syntax error near unexpected token `" + error.token + "'";
    case SyntaxError::Kind::UnterminatedQuote:
        if (ashStyle) {
            return prefix + "syntax error: unterminated quoted string";
        }
        return prefix + "unexpected EOF while looking for matching `" + error.token + "'";
    case SyntaxError::Kind::UnexpectedEnd:
        return prefix + "syntax error: unexpected end of file";
    case SyntaxError::Kind::Unsupported:
        if (error.token == "&") {
            return prefix + "&: background jobs are not available in this terminal";
        }
        if (error.token == "(") {
            return prefix + "(: subshells are not available in this terminal";
        }
        if (error.token == "nesting") {
            return prefix + "substitutions nested too deeply for this terminal";
        }
        if (error.token == "$((") {
            return prefix + "$((: arithmetic is not available in this terminal";
        }
        if (error.token == ">(" || error.token == ">&") {
            return prefix + error.token + ": this redirection is not available in this terminal";
        }
        return prefix + error.token +
               ": compound commands are not available in this terminal (one command per "
               "step, joined with ;, && or |)";
    }
    return prefix + "syntax error";
}

std::string quoteWord(std::string_view text)
{
    const auto safe = [](char c) {
        return isNameChar(c) || c == '.' || c == '/' || c == '-' || c == ':' || c == '=' ||
               c == '@' || c == '%' || c == '+' || c == ',';
    };
    bool plain = !text.empty();
    for (const char c : text) {
        plain = plain && safe(c);
    }
    if (plain) {
        return std::string(text);
    }
    std::string quoted = "'";
    for (const char c : text) {
        if (c == '\'') {
            quoted += "'\\''";
        } else {
            quoted += c;
        }
    }
    quoted += '\'';
    return quoted;
}

} // namespace meshcraft::core::shell
