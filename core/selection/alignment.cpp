#include "selection/alignment.h"
