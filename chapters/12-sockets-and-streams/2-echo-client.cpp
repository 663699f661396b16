// Streams: getaddrinfo on the executor, open_connection and start_server, lines written with
// writelines and read with readline, then a half-close (write_eof) and read() to end of file
#include <cctype>
#include <cstdio>
#include <string>

#include <corio/corio.hpp>
#include <corio/net/resolve.hpp>

// Shows a line with its "\n" escaped.
std::string shown(std::string s) {
  if (!s.empty() && s.back() == '\n') s.replace(s.size() - 1, 1, "\\n");
  return "'" + s + "'";
}

// The server's side of one connection: each line back in capitals, and at
// end of file one last line, then close.
corio::Coro<> shout(corio::StreamReader reader, corio::StreamWriter writer) {
  int lines = 0;
  for (;;) {
    std::string line = co_await reader.readline();
    if (line.empty()) break;  // end of file: the client called write_eof()
    for (char& c : line) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    writer.write(line);
    co_await writer.drain();
    ++lines;
  }
  std::printf("server: end of file after %d lines; answers and closes\n", lines);
  writer.write(std::to_string(lines) + " lines, bye\n");
  co_await writer.drain();
  writer.close();
  co_await writer.wait_closed();
}

corio::Coro<> main_coro() {
  // The resolver blocks, so it runs on the executor (a pool thread).
  std::vector<corio::AddrInfo> answers = co_await corio::getaddrinfo("localhost", "", AF_INET);
  std::printf("getaddrinfo(\"localhost\", AF_INET): %s\n", answers.at(0).address.host().c_str());

  corio::Server server = co_await corio::start_server(shout, "127.0.0.1", 0);
  auto [reader, writer] = co_await corio::open_connection("localhost", server.port());
  std::printf("client: connected to %s\n", writer.get_extra_info("peername")->host().c_str());

  writer.writelines({"hello\n", "how are you?\n", "goodbye\n"});
  co_await writer.drain();
  std::printf("client: sent 3 lines with one writelines() and one drain()\n");
  for (int i = 0; i < 3; ++i) std::printf("client: readline() -> %s\n", shown(co_await reader.readline()).c_str());

  writer.write_eof();
  std::printf("client: write_eof(): the server reads end of file, the client can still read\n");
  std::string rest = co_await reader.read();  // everything up to end of file
  std::printf("client: read() -> %s, then end of file: %s\n", shown(rest).c_str(), reader.at_eof() ? "yes" : "no");

  writer.close();
  co_await writer.wait_closed();
  server.close();
  co_await server.wait_closed();
}

int main() { corio::run(main_coro()); }
