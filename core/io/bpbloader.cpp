#include "io/bpbloader.h"
