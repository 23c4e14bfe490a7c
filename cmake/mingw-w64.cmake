# Cross-compiling the desktop helper's host for Windows on Debian: clang (as every other build
# here) targeting MinGW-w64, with Debian's mingw-w64 headers, import libraries (WinSCard) and the
# C++ library of its GCC (g++-mingw-w64-x86-64-posix: std::thread over winpthreads).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(triple x86_64-w64-mingw32)
set(CMAKE_C_COMPILER clang)
set(CMAKE_CXX_COMPILER clang++)
set(CMAKE_C_COMPILER_TARGET ${triple})
set(CMAKE_CXX_COMPILER_TARGET ${triple})
set(CMAKE_RC_COMPILER ${triple}-windres)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# clang 14 does not find libstdc++ under Debian's "<version>-posix" folder by itself.
file(GLOB mingw_gcc LIST_DIRECTORIES true /usr/lib/gcc/${triple}/*-posix)
if(NOT mingw_gcc)
  message(FATAL_ERROR "no /usr/lib/gcc/${triple}/*-posix: apt-get install g++-mingw-w64-x86-64-posix")
endif()
list(GET mingw_gcc 0 mingw_gcc)
# The sysroot keeps the build machine's /usr/include out (clang adds it otherwise).
set(CMAKE_SYSROOT /usr/${triple})
set(CMAKE_CXX_FLAGS_INIT "-isystem ${mingw_gcc}/include/c++ -isystem ${mingw_gcc}/include/c++/${triple}")
# One .exe with nothing beside it: the C++ runtime and winpthreads linked in.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-L${mingw_gcc} -static -pthread")
