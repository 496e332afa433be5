#include "io/selectionwriter.h"
