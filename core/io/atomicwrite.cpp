#include "io/atomicwrite.h"
