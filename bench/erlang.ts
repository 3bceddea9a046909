// The Erlang distribution reference, run in the same bench: two nodes with EPMD on loopback,
// rpc:call latency (sequential) and throughput (64 callers).

/** One repetition of the Erlang reference. */
export interface ErlangRun {
  p50us: number;
  p99us: number;
  callsPerSecond: number;
}

const SERVER = "gvmbench_b@127.0.0.1";

function client(calls: number, seconds: number): string {
  return `
B = '${SERVER}',
pong = net_adm:ping(B),
Lat = [begin T0 = erlang:monotonic_time(nanosecond), 3 = rpc:call(B, erlang, '+', [1, 2]),
        erlang:monotonic_time(nanosecond) - T0 end || _ <- lists:seq(1, ${calls})],
S = lists:sort(Lat), N = length(S),
P50 = lists:nth(max(1, (N * 50 + 99) div 100), S), P99 = lists:nth(max(1, (N * 99 + 99) div 100), S),
Parent = self(), End = erlang:monotonic_time(millisecond) + ${seconds * 1000},
Loop = fun L(C) -> case erlang:monotonic_time(millisecond) < End of
  true -> 3 = rpc:call(B, erlang, '+', [1, 2]), L(C + 1); false -> C end end,
[spawn(fun() -> Parent ! {done, Loop(0)} end) || _ <- lists:seq(1, 64)],
Total = lists:sum([receive {done, C} -> C end || _ <- lists:seq(1, 64)]),
io:format("~p ~p ~p~n", [P50 / 1000, P99 / 1000, Total / ${seconds}]),
rpc:call(B, init, stop, []),
init:stop().`;
}

/** Whether `erl` is on PATH. */
export async function haveErlang(): Promise<boolean> {
  try {
    const out = await new Deno.Command("erl", {
      args: ["-version"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

/** Runs the reference once. */
export async function runErlang(calls: number, seconds: number): Promise<ErlangRun> {
  const cookie = ["-setcookie", "gvmbench"];
  const server = new Deno.Command("erl", {
    args: ["-name", SERVER, ...cookie, "-noshell", "-noinput"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    // The server node needs a moment to register with EPMD; the client pings until it answers.
    const script = `Wait = fun W(0) -> ok; W(K) -> case net_adm:ping('${SERVER}') of pong -> ok;
      pang -> timer:sleep(50), W(K - 1) end end, Wait(100), ${client(calls, seconds)}`;
    const out = await new Deno.Command("erl", {
      args: ["-name", "gvmbench_a@127.0.0.1", ...cookie, "-noshell", "-eval", script],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim().split("\n").pop() ?? "";
    const [p50us, p99us, callsPerSecond] = text.split(" ").map(Number);
    if (!Number.isFinite(callsPerSecond)) {
      throw new Error(`Erlang reference failed: ${text}${new TextDecoder().decode(out.stderr)}`);
    }
    return { p50us, p99us, callsPerSecond };
  } finally {
    try {
      server.kill();
    } catch {
      // Stopped by the client already.
    }
    await server.status;
  }
}
