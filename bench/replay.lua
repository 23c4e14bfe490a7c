-- wrk script: replays prepared POST requests, one per line of a file ("<path>\t<JSON body>").
-- Each wrk thread takes every n-th line, so no code or session is used twice; each request
-- names a client address of its own in X-Forwarded-For (the server trusts 127.0.0.1 as its
-- proxy), as requests from many clients would. Once a thread has
-- used all of its lines it asks for /bench/exhausted, which counts as an error (404): prepare
-- more lines than the run can use.
-- Usage: wrk -t2 ... -s replay.lua URL -- <file> <threads>
local threads = 0

function setup(thread)
   thread:set("id", threads)
   threads = threads + 1
end

function init(args)
   local count = tonumber(args[2])
   lines = {}
   local i = 0
   for line in io.lines(args[1]) do
      if i % count == id then
         lines[#lines + 1] = line
      end
      i = i + 1
   end
   index = 0
end

function request()
   index = index + 1
   local line = lines[index]
   if line == nil then
      return wrk.format("GET", "/bench/exhausted")
   end
   local tab = line:find("\t")
   local client = "10." .. id .. "." .. math.floor(index / 256) % 256 .. "." .. index % 256
   return wrk.format("POST", line:sub(1, tab - 1),
                     {["Content-Type"] = "application/json", ["X-Forwarded-For"] = client},
                     line:sub(tab + 1))
end
