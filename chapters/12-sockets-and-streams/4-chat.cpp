// A line-based chat server: many clients at once, each line a client sends goes to every other
// client; a client's end of file is its leaving. 50 clients talk to it in the same program
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <corio/corio.hpp>

constexpr int kClients = 50;

// The server's state: who is here, by name, and how to reach them.
std::map<std::string, corio::StreamWriter> members;
int delivered = 0;

void broadcast(const std::string& from, const std::string& line) {
  for (auto& [name, writer] : members) {
    if (name == from) continue;
    writer.write(line);  // buffered by the transport if the socket is full
    ++delivered;
  }
}

// One client: "NAME\n" first, then lines, until end of file.
corio::Coro<> chat(corio::StreamReader reader, corio::StreamWriter writer) {
  std::string name = co_await reader.readline();
  if (name.empty()) co_return;
  name.pop_back();
  members.emplace(name, writer);
  writer.write("welcome " + name + "\n");
  for (;;) {
    std::string line = co_await reader.readline();
    if (line.empty()) break;
    broadcast(name, name + ": " + line);
    co_await writer.drain();
  }
  members.erase(name);
  writer.close();
}

std::string name_of(int i) {
  char name[32];
  std::snprintf(name, sizeof name, "client-%02d", i);
  return name;
}

struct Client {
  corio::StreamReader reader;
  corio::StreamWriter writer;
};

corio::Coro<Client> join(int port, int i) {
  auto [reader, writer] = co_await corio::open_connection("127.0.0.1", port);
  writer.write(name_of(i) + "\n");
  std::string welcome = co_await reader.readline();  // once it is here, it is a member
  if (welcome != "welcome " + name_of(i) + "\n") throw corio::RuntimeError("unexpected welcome: " + welcome);
  co_return Client{reader, writer};
}

// Says one line, then reads until it has heard every other client once.
corio::Coro<std::vector<std::string>> talk(Client c, int i) {
  c.writer.write("hello from " + name_of(i) + "\n");
  co_await c.writer.drain();
  std::vector<std::string> heard;
  while (static_cast<int>(heard.size()) < kClients - 1) heard.push_back(co_await c.reader.readline());
  c.writer.write_eof();
  std::string rest = co_await c.reader.read();  // "" once the server closes
  c.writer.close();
  if (!rest.empty()) throw corio::RuntimeError("more lines than clients");
  co_return heard;
}

corio::Coro<> main_coro() {
  corio::Server server = co_await corio::start_server(chat, "127.0.0.1", 0);
  std::vector<corio::Coro<Client>> joining;
  for (int i = 1; i <= kClients; ++i) joining.push_back(join(server.port(), i));
  std::vector<Client> clients = co_await corio::gather(std::move(joining));
  std::printf("%zu clients joined; the server has %zu members\n", clients.size(), members.size());

  std::vector<corio::Coro<std::vector<std::string>>> talking;
  for (int i = 1; i <= kClients; ++i) talking.push_back(talk(clients[i - 1], i));
  std::vector<std::vector<std::string>> heard = co_await corio::gather(std::move(talking));

  std::vector<std::string> first = heard[0];
  std::sort(first.begin(), first.end());
  std::printf("client-01 heard %zu lines; sorted, the first three:\n", first.size());
  for (int i = 0; i < 3; ++i) std::printf("  %s", first[i].c_str());
  bool everyone = true;
  for (int i = 1; i <= kClients; ++i) {
    std::vector<std::string> lines = heard[i - 1];
    std::sort(lines.begin(), lines.end());
    std::vector<std::string> expected;
    for (int j = 1; j <= kClients; ++j) {
      if (j != i) expected.push_back(name_of(j) + ": hello from " + name_of(j) + "\n");
    }
    everyone = everyone && lines == expected;
  }
  std::printf("every client heard each other client exactly once: %s\n", everyone ? "yes" : "no");
  server.close();
  co_await server.wait_closed();
  std::printf("the server delivered %d lines; %zu members left\n", delivered, members.size());
}

int main() { corio::run(main_coro()); }
