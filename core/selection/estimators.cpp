#include "selection/estimators.h"
