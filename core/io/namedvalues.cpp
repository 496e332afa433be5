#include "io/namedvalues.h"
