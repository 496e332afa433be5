#include "selection/selectionrun.h"
