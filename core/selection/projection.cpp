#include "selection/projection.h"
