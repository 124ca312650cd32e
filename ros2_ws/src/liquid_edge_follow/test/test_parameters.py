# Copyright 2026 LIQUID EDGE founders
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""Parameter table defaults and validation rules, without ROS."""
from liquid_edge_follow.parameters import DEFAULTS, PARAMETERS, settings_from_parameters
import pytest


def test_defaults_are_valid_and_match_the_original():
    settings = settings_from_parameters({})
    assert settings.target_class == 'person'
    assert settings.tick_rate == 40.0
    assert settings.state_machine.wakeup_duration == 10.0
    assert settings.state_machine.search_timeout == 25.0
    assert settings.state_machine.detection_timeout == 1.0
    assert settings.state_machine.hit_escape_duration == 2.0
    assert settings.control.max_forward_speed == 0.6


def test_every_default_lies_in_its_range():
    for spec in PARAMETERS:
        if spec.minimum is not None:
            assert spec.minimum <= spec.default <= spec.maximum, spec.name


@pytest.mark.parametrize('name, value', [
    ('target_class', ''), ('target_class', ' person'), ('image_width', 0),
    ('tick_rate', 0.0), ('search_turn_speed', -1.0), ('detection_timeout', -1.0),
    ('track_timeout', 0.0), ('max_backward_speed', 0.0), ('led_refresh_period', 0.0),
])
def test_bad_values_are_refused_naming_the_parameter(name, value):
    with pytest.raises(ValueError, match=name):
        settings_from_parameters({name: value})


def test_coco_names_with_spaces_are_accepted():
    assert settings_from_parameters({'target_class': 'cell phone'}).target_class == 'cell phone'


def test_declaration_order_puts_the_set_point_before_its_dead_band():
    names = [spec.name for spec in PARAMETERS]
    assert names.index('size_setpoint') < names.index('size_deadband')
    assert set(names) == set(DEFAULTS)
