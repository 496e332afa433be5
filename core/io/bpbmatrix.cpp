#include "io/bpbmatrix.h"
