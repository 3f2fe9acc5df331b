// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/line_editor.h"

#include <poll.h>
#include <termios.h>
#include <unistd.h>

namespace meshcraft::app::cli {

struct LineEditor::Saved
{
    termios attributes;
};

LineEditor::LineEditor(int inputFd, std::ostream &out) : m_fd(inputFd), m_out(out) {}

LineEditor::~LineEditor()
{
    stop();
}

bool LineEditor::start()
{
    if (!::isatty(m_fd)) {
        return false;
    }
    m_saved = new Saved{};
    if (::tcgetattr(m_fd, &m_saved->attributes) != 0) {
        delete m_saved;
        m_saved = nullptr;
        return false;
    }
    termios raw = m_saved->attributes;
    // Keys come one by one and unechoed; Ctrl+C and Ctrl+] arrive as bytes. Output processing
    // stays on, so '\n' still moves to the start of the next line.
    raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ICANON | ISIG | IEXTEN);
    raw.c_iflag &= ~static_cast<tcflag_t>(IXON | ICRNL | INLCR);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    if (::tcsetattr(m_fd, TCSAFLUSH, &raw) != 0) {
        delete m_saved;
        m_saved = nullptr;
        return false;
    }
    m_raw = true;
    return true;
}

void LineEditor::stop()
{
    if (m_raw && m_saved) {
        ::tcsetattr(m_fd, TCSAFLUSH, &m_saved->attributes);
    }
    m_raw = false;
    delete m_saved;
    m_saved = nullptr;
}

LineEditor::Event LineEditor::poll(std::chrono::milliseconds timeout)
{
    if (m_unread.empty()) {
        pollfd descriptor{m_fd, POLLIN, 0};
        if (::poll(&descriptor, 1, static_cast<int>(timeout.count())) <= 0) {
            return Event::None;
        }
        char bytes[256];
        const ssize_t n = ::read(m_fd, bytes, sizeof bytes);
        if (n <= 0) {
            return n == 0 ? Event::EndOfFile : Event::None;
        }
        m_unread.assign(bytes, static_cast<std::size_t>(n));
    }
    // One event at a time: keys typed after it (a pasted line, type-ahead) wait for the next
    // poll, so they land after the shell has handled this one.
    while (!m_unread.empty()) {
        const auto byte = static_cast<unsigned char>(m_unread.front());
        m_unread.erase(0, 1);
        const Event event = handleByte(byte);
        if (event != Event::None) {
            return event;
        }
    }
    return Event::None;
}

LineEditor::Event LineEditor::handleByte(unsigned char byte)
{
    if (!m_pending.empty()) {
        m_pending += static_cast<char>(byte);
        const bool finished =
            (m_pending.size() == 2 && byte != '[' && byte != 'O') ||
            (m_pending.size() >= 3 && ((byte >= 'A' && byte <= 'Z') || byte == '~'));
        if (!finished && m_pending.size() < 8) {
            return Event::None;
        }
        const std::string sequence = m_pending;
        m_pending.clear();
        if (sequence == "\x1b[A") {
            historyMove(-1);
        } else if (sequence == "\x1b[B") {
            historyMove(1);
        } else if (sequence == "\x1b[C" && m_cursor < m_buffer.size()) {
            ++m_cursor;
        } else if (sequence == "\x1b[D" && m_cursor > 0) {
            --m_cursor;
        } else if (sequence == "\x1b[H" || sequence == "\x1bOH" || sequence == "\x1b[1~") {
            m_cursor = 0;
        } else if (sequence == "\x1b[F" || sequence == "\x1bOF" || sequence == "\x1b[4~") {
            m_cursor = m_buffer.size();
        } else if (sequence == "\x1b[3~" && m_cursor < m_buffer.size()) {
            m_buffer.erase(m_cursor, 1);
        }
        redraw();
        return Event::None;
    }
    switch (byte) {
    case 0x1b:
        m_pending = "\x1b";
        return Event::None;
    case '\r':
    case '\n':
        m_line = m_buffer;
        if (!m_line.empty() && (m_history.empty() || m_history.back() != m_line)) {
            m_history.push_back(m_line);
        }
        m_historyIndex = m_history.size();
        m_buffer.clear();
        m_cursor = 0;
        m_out << "\n";
        m_out.flush();
        m_shown = false;
        return Event::Line;
    case '\t':
        return Event::Complete;
    case 0x03: // Ctrl+C
        m_out << "^C\n";
        m_shown = false;
        m_buffer.clear();
        m_cursor = 0;
        return Event::Interrupt;
    case 0x04: // Ctrl+D
        if (m_buffer.empty()) {
            return Event::EndOfFile;
        }
        if (m_cursor < m_buffer.size()) {
            m_buffer.erase(m_cursor, 1);
        }
        break;
    case 0x1d: // Ctrl+]
        m_out << "^]\n";
        m_shown = false;
        return Event::TelnetEscape;
    case 0x0c: // Ctrl+L
        return Event::ClearScreen;
    case 0x01:
        m_cursor = 0;
        break;
    case 0x05:
        m_cursor = m_buffer.size();
        break;
    case 0x15: // Ctrl+U
        m_buffer.erase(0, m_cursor);
        m_cursor = 0;
        break;
    case 0x0b: // Ctrl+K
        m_buffer.erase(m_cursor);
        break;
    case 0x7f:
    case 0x08:
        if (m_cursor > 0) {
            m_buffer.erase(--m_cursor, 1);
        }
        break;
    default:
        if (byte >= 0x20) {
            m_buffer.insert(m_cursor++, 1, static_cast<char>(byte));
        }
        break;
    }
    redraw();
    return Event::None;
}

void LineEditor::historyMove(int delta)
{
    if (m_history.empty()) {
        return;
    }
    if (m_historyIndex == m_history.size()) {
        m_draft = m_buffer;
    }
    if (delta < 0 && m_historyIndex > 0) {
        --m_historyIndex;
    } else if (delta > 0 && m_historyIndex < m_history.size()) {
        ++m_historyIndex;
    }
    m_buffer = m_historyIndex == m_history.size() ? m_draft : m_history[m_historyIndex];
    m_cursor = m_buffer.size();
}

std::string LineEditor::takeLine()
{
    return std::move(m_line);
}

void LineEditor::replaceBeforeCursor(std::size_t from, const std::string &text)
{
    from = std::min(from, m_cursor);
    m_buffer.replace(from, m_cursor - from, text);
    m_cursor = from + text.size();
    redraw();
}

void LineEditor::setPrompt(std::string prompt)
{
    m_prompt = std::move(prompt);
}

void LineEditor::hide()
{
    if (m_shown) {
        m_out << "\r\x1b[K";
        m_out.flush();
        m_shown = false;
    }
}

void LineEditor::show()
{
    m_shown = true;
    redraw();
}

void LineEditor::redraw()
{
    if (!m_shown) {
        return;
    }
    m_out << "\r\x1b[K" << m_prompt << m_buffer;
    if (m_cursor < m_buffer.size()) {
        m_out << "\x1b[" << (m_buffer.size() - m_cursor) << "D";
    }
    m_out.flush();
}

} // namespace meshcraft::app::cli
