"""scripts/make_icons.py: the committed icons are what the script draws."""

from scripts import make_icons


def test_the_committed_icons_are_the_scripts_output(tmp_path):
    make_icons.main(["--output", str(tmp_path)])

    for name in ("favicon.ico", "apple-touch-icon.png"):
        committed = (make_icons.ROOT_FILES / name).read_bytes()
        assert (tmp_path / name).read_bytes() == committed, "run: python -m scripts.make_icons"


def test_the_trophy_sits_inside_the_square_and_leaves_its_corners_clear():
    rows = make_icons.draw(32, corner=6)

    assert rows[0][3] == 0  # the top-left corner is transparent
    middle = rows[16][16 * 4 : 16 * 4 + 4]
    assert tuple(middle[:3]) == make_icons.TROPHY and middle[3] == 255  # the stem
