// The library constructor (init.cpp) must be in every program that uses
// hakmem. A shared library always carries it; a static archive gives a
// program only the members it references, and nothing below api/ may name
// init.cpp (it is the top layer). So each entry point of the API, the
// malloc override and the hak_* ABI, references this symbol: a program that
// calls either links the constructor with it.
// (CMake consumers of the static library also link it by name:
// src/CMakeLists.txt, for programs that call neither, such as tests of one
// layer.)
#pragma once

extern "C" const char hakmem_library_init_linked;

// Placed once in each entry-point file.
#define HAK_LINK_LIBRARY_INIT \
    [[gnu::used]] static const char* const hak_link_library_init = &hakmem_library_init_linked
