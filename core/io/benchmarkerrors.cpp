#include "io/benchmarkerrors.h"
