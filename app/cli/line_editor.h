// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace meshcraft::app::cli {

/// A small line editor for `meshcraft lab shell` on a terminal: the terminal in raw mode,
/// cursor movement, Home/End, Backspace/Delete, Ctrl+A/E/U/K/L, history on Up/Down, and the
/// keys the shell handles itself (Enter, Tab, Ctrl+C, Ctrl+D, Ctrl+]). Output the program prints
/// meanwhile goes between hide() and show(), so the line being typed is redrawn below it.
class LineEditor
{
public:
    enum class Event {
        None,         ///< nothing finished yet
        Line,         ///< Enter: takeLine()
        Complete,     ///< Tab: complete at buffer()/cursor()
        Interrupt,    ///< Ctrl+C (the line is dropped)
        EndOfFile,    ///< Ctrl+D on an empty line
        TelnetEscape, ///< Ctrl+]: busybox telnet's escape
        ClearScreen,  ///< Ctrl+L
    };

    LineEditor(int inputFd, std::ostream &out);
    ~LineEditor();
    LineEditor(const LineEditor &) = delete;
    LineEditor &operator=(const LineEditor &) = delete;

    /// Puts the terminal in raw mode; false when the input is not a terminal.
    bool start();
    /// Restores the terminal (also done by the destructor).
    void stop();

    /// Reads what is available, waiting up to `timeout`; returns the first finished event.
    Event poll(std::chrono::milliseconds timeout);

    std::string takeLine();
    const std::string &buffer() const { return m_buffer; }
    std::size_t cursor() const { return m_cursor; }
    /// Replaces buffer[from, cursor) with `text` (a completion).
    void replaceBeforeCursor(std::size_t from, const std::string &text);

    void setPrompt(std::string prompt);
    /// Erases the prompt and line from the screen, to print output.
    void hide();
    /// Draws the prompt and line again.
    void show();

private:
    Event handleByte(unsigned char byte);
    void redraw();
    void historyMove(int delta);

    int m_fd;
    std::ostream &m_out;
    bool m_raw = false;
    bool m_shown = false;
    std::string m_prompt;
    std::string m_buffer;
    std::size_t m_cursor = 0;
    std::string m_pending; ///< an escape sequence being read
    std::string m_unread;  ///< bytes read but not handled yet
    std::string m_line;
    std::vector<std::string> m_history;
    std::size_t m_historyIndex = 0;
    std::string m_draft;
    struct Saved;
    Saved *m_saved = nullptr;
};

} // namespace meshcraft::app::cli
