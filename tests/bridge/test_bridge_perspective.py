"""The rqt perspective shows the debug image node's view, the latency plot and diagnostics."""
import ast
import json
import os

PERSPECTIVE = os.path.join(os.path.dirname(__file__), '..', '..', 'config', 'rqt',
                           'liquid_edge.perspective')


def test_perspective_has_image_view_plot_and_monitor_on_the_bridge_topics():
    with open(PERSPECTIVE) as file:
        manager = json.load(file)['groups']['pluginmanager']
    plugins = ast.literal_eval(manager['keys']['running-plugins']['repr'])
    assert plugins == {'rqt_image_view/ImageView': [1], 'rqt_plot/Plot': [1],
                       'rqt_robot_monitor/RobotMonitor': [1]}

    def settings(plugin):
        keys = manager['groups'][plugin]['groups']['plugin']['keys']
        return {key: ast.literal_eval(value['repr']) for key, value in keys.items()}

    assert settings('plugin__rqt_image_view__ImageView__1')['topic'] == \
        '/debug_image/compressed'
    assert settings('plugin__rqt_plot__Plot__1')['topics'] == ['/edge/latency/data']
