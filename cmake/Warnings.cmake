# Warnings live here, in one place, and are errors.
function(sw_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes
    -Wpointer-arith -Wvla -Wundef -Wno-missing-field-initializers)
endfunction()
